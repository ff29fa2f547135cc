SELECT order_id, shipment_id, status FROM shipments WHERE carrier = $1 AND tracking_number = $2
