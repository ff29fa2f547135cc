SELECT order_id, state::TEXT, version FROM orders WHERE order_id = ANY ($1::TEXT[])
