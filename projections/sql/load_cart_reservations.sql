SELECT cart_id, state::TEXT, version FROM cart_reservations WHERE cart_id = ANY ($1::TEXT[])
