DELETE FROM shipments WHERE order_id = ANY ($1::TEXT[])
