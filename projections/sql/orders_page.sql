-- One page of orders in (placed_at, order_id) order after a keyset cursor ($1, $2; NULL for the first page),
-- placed in [$4, $5) (NULL: unbounded). The cursor and the range bound one walk of orders_placed_idx.
SELECT order_id, placed_at
FROM orders
WHERE (placed_at, order_id) > (COALESCE($1::TIMESTAMPTZ, '-infinity'), COALESCE($2::TEXT, ''))
  AND placed_at >= COALESCE($4::TIMESTAMPTZ, '-infinity') AND placed_at < COALESCE($5::TIMESTAMPTZ, 'infinity')
ORDER BY placed_at, order_id
LIMIT $3
