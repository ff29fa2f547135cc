-- How many sessions hold a group's membership lock ($1) in this database. A bigint advisory key shows in
-- pg_locks as (classid, objid) = (high, low 32 bits) with objsubid 1; claim keys are 32-bit, so classid is 0.
SELECT count(*)::INT
FROM pg_locks
WHERE locktype = 'advisory' AND granted AND objsubid = 1
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND classid = 0::OID AND objid = $1::BIGINT::OID
