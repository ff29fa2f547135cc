-- Which of these orders have a shipment at one of these locations (an operator's reach).
SELECT DISTINCT order_id FROM shipments WHERE order_id = ANY ($1::TEXT[]) AND location_code = ANY ($2::TEXT[])
