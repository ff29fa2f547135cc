-- READY_FOR_PICKUP shipments not yet reminded, half-way through their hold at $1 and not yet expired (as the
-- domain decides), the soonest to expire first, at most $2.
SELECT order_id, shipment_id
FROM shipments
WHERE status = 'READY_FOR_PICKUP'
  AND expires_at > $1::TIMESTAMPTZ
  AND reminded_at IS NULL
  AND ready_at + (expires_at - ready_at) / 2 <= $1::TIMESTAMPTZ
ORDER BY expires_at, order_id, shipment_id
LIMIT $2
