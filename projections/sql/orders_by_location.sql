-- Orders with a shipment from a location, optionally in one shipment status.
SELECT DISTINCT o.order_id, o.status, o.placed_at
FROM shipments s
JOIN orders o USING (order_id)
WHERE s.location_code = $1 AND ($2::TEXT IS NULL OR s.status = $2)
ORDER BY o.placed_at, o.order_id
LIMIT $3
