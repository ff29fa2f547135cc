-- orders_page of the orders in status $6, on orders_status_idx.
SELECT order_id, placed_at
FROM orders
WHERE status = $6
  AND (placed_at, order_id) > (COALESCE($1::TIMESTAMPTZ, '-infinity'), COALESCE($2::TEXT, ''))
  AND placed_at >= COALESCE($4::TIMESTAMPTZ, '-infinity') AND placed_at < COALESCE($5::TIMESTAMPTZ, 'infinity')
ORDER BY placed_at, order_id
LIMIT $3
