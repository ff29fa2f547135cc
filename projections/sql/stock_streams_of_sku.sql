-- Stock streams are `stock-<location>:<sku>`; $1 is the SKU with LIKE's metacharacters escaped.
SELECT stream_id FROM streams WHERE stream_id LIKE 'stock-%:' || $1 ESCAPE '\'
