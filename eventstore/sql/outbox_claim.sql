-- SKIP LOCKED lets several senders drain the outbox side by side without handing out a message twice.
SELECT id, topic, payload::TEXT AS payload, created_at
FROM outbox
WHERE sent_at IS NULL
ORDER BY id
LIMIT $1
FOR UPDATE SKIP LOCKED
