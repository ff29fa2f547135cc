-- How many of the named checkpoints have reached a position (in the readers' order).
SELECT count(*)
FROM checkpoints
WHERE name = ANY ($1::TEXT[])
  AND (transaction_id, global_position) >= ($2::XID8, $3::BIGINT)
