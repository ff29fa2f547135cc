SELECT order_id, customer_id, status, service_level, priority, channel, placed_at, updated_at
FROM orders
WHERE status = $4
  AND ($1::TIMESTAMPTZ IS NULL OR (placed_at, order_id) > ($1::TIMESTAMPTZ, $2::TEXT))
ORDER BY placed_at, order_id
LIMIT $3
