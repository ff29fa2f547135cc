-- The store's tables whose planner statistics are missing or stale: never analyzed (since the server's statistics
-- began), or changed by more than a fifth of their rows since, plus a thousand so that a small table is not
-- analyzed at every check. Autovacuum's rule, kept by the store itself for servers where autovacuum is off.
SELECT s.relname
FROM pg_stat_user_tables s
JOIN pg_class c ON c.oid = s.relid
WHERE s.relid IN ('events'::REGCLASS, 'streams'::REGCLASS, 'snapshots'::REGCLASS, 'checkpoints'::REGCLASS)
  AND (coalesce(s.last_analyze, s.last_autoanalyze) IS NULL
       OR s.n_mod_since_analyze > 1000 + 0.2 * greatest(c.reltuples, 0))
