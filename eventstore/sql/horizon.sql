-- The oldest transaction still in flight (read_all.sql's xmin guard): every transaction before it has ended,
-- so every event before it is committed and visible already, and whatever commits from now on comes after.
SELECT pg_snapshot_xmin(pg_current_snapshot())
