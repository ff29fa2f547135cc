SELECT sku, location_code, on_hand, reserved, safety_stock, available, incoming
FROM stock_levels WHERE sku = $1 ORDER BY location_code
