-- Tables (the read models and the event store's) whose planner statistics lag far behind their contents:
-- changed rows since the last ANALYZE, manual or automatic, beyond a fifth of the table (and at least $1).
SELECT format('%I.%I', schemaname, relname) AS table_name
FROM pg_stat_user_tables
WHERE schemaname IN (current_schema(), 'public')
  AND n_mod_since_analyze > greatest($1::BIGINT, n_live_tup / 5)
ORDER BY n_mod_since_analyze DESC
