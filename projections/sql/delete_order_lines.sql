DELETE FROM order_lines WHERE order_id = ANY ($1::TEXT[])
