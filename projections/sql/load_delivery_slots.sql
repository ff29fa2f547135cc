SELECT slot_key, state::TEXT, version FROM delivery_slots WHERE slot_key = ANY ($1::TEXT[])
