SELECT order_id, version FROM orders WHERE order_id = ANY ($1::TEXT[])
