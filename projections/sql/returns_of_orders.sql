SELECT order_id, return_id, state::TEXT FROM returns WHERE order_id = ANY ($1::TEXT[]) ORDER BY requested_at, return_id
