-- READY_FOR_PICKUP shipments whose hold ended at or before $1 (as the domain decides), oldest first, at most $2.
SELECT order_id, shipment_id
FROM shipments
WHERE status = 'READY_FOR_PICKUP'
  AND expires_at <= $1::TIMESTAMPTZ
ORDER BY expires_at, order_id, shipment_id
LIMIT $2
