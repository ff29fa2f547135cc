-- orders_page of the orders with a line of SKU $6, walking order_lines_sku_placed_idx (an order with two lines of
-- it appears once); status $7 and a shipment at one of the locations $8 (NULL: any) are checked per order.
SELECT DISTINCT ON (l.placed_at, l.order_id) l.order_id, l.placed_at
FROM order_lines l
JOIN orders o ON o.order_id = l.order_id
WHERE l.sku = $6
  AND (l.placed_at, l.order_id) > (COALESCE($1::TIMESTAMPTZ, '-infinity'), COALESCE($2::TEXT, ''))
  AND l.placed_at >= COALESCE($4::TIMESTAMPTZ, '-infinity') AND l.placed_at < COALESCE($5::TIMESTAMPTZ, 'infinity')
  AND ($7::TEXT IS NULL OR o.status = $7)
  AND ($8::TEXT[] IS NULL OR EXISTS (
      SELECT FROM shipments s WHERE s.order_id = l.order_id AND s.location_code = ANY ($8::TEXT[])))
ORDER BY l.placed_at, l.order_id
LIMIT $3
