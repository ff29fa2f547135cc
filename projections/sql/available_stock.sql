-- What each location can promise of these SKUs (stock_levels_available_idx).
SELECT location_code, sku, available FROM stock_levels WHERE sku = ANY ($1::TEXT[]) AND available > 0
