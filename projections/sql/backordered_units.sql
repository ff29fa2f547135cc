-- Units of these SKUs waiting on backorder, per SKU (order_lines_backordered_idx).
SELECT sku, SUM(backordered)::INT
FROM order_lines
WHERE sku = ANY ($1::TEXT[]) AND backordered > 0
GROUP BY sku
