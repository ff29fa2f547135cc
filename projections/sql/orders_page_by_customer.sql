-- orders_page of customer $6's orders, on orders_customer_idx (a customer has few orders: the other filters,
-- status $7, a line of SKU $8, a shipment at one of the locations $9, each NULL for any, are checked per order).
SELECT o.order_id, o.placed_at
FROM orders o
WHERE o.customer_id = $6
  AND (o.placed_at, o.order_id) > (COALESCE($1::TIMESTAMPTZ, '-infinity'), COALESCE($2::TEXT, ''))
  AND o.placed_at >= COALESCE($4::TIMESTAMPTZ, '-infinity') AND o.placed_at < COALESCE($5::TIMESTAMPTZ, 'infinity')
  AND ($7::TEXT IS NULL OR o.status = $7)
  AND ($8::TEXT IS NULL OR EXISTS (SELECT FROM order_lines l WHERE l.order_id = o.order_id AND l.sku = $8))
  AND ($9::TEXT[] IS NULL OR EXISTS (
      SELECT FROM shipments s WHERE s.order_id = o.order_id AND s.location_code = ANY ($9::TEXT[])))
ORDER BY o.placed_at, o.order_id
LIMIT $3
