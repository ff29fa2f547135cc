-- The store's tables whose planner statistics are stale: changed by more than a fifth of their rows since the
-- last ANALYZE, plus a thousand so that a small table is not analyzed at every check (autovacuum's rule, kept by
-- the store itself for servers where autovacuum is off); or never analyzed as far as the server's statistics
-- remember (they restart empty after a crash or a restore) yet larger than 8 MB. An empty table is left alone:
-- statistics saying "no rows" would make every plan cached while it fills a plan for an empty table.
SELECT s.relname
FROM pg_stat_user_tables s
JOIN pg_class c ON c.oid = s.relid
WHERE s.relid IN ('events'::REGCLASS, 'streams'::REGCLASS, 'snapshots'::REGCLASS, 'checkpoints'::REGCLASS)
  AND (s.n_mod_since_analyze > 1000 + 0.2 * greatest(c.reltuples, 0)
       OR (coalesce(s.last_analyze, s.last_autoanalyze) IS NULL AND pg_relation_size(s.relid) > 8 * 1024 * 1024))
