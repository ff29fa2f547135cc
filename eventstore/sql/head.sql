-- The last event of the log in the readers' order (read_all.sql's): none for an empty log.
SELECT transaction_id, global_position
FROM events
ORDER BY transaction_id DESC, global_position DESC
LIMIT 1
