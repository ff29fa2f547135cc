-- A SKU's backordered lines in allocation order: highest priority first, then oldest (order_lines_backordered_idx).
SELECT order_id, line_no, sku, backordered, priority, placed_at
FROM order_lines
WHERE sku = $1 AND backordered > 0
ORDER BY priority DESC, placed_at, order_id
LIMIT $2
