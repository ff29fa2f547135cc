INSERT INTO delivery_slots (slot_key, location_code, window_start, window_end, taken, capacity, version, state)
SELECT slot_key, location_code, window_start, window_end, taken, capacity, version, state::JSONB
FROM unnest($1::TEXT[], $2::TEXT[], $3::TIMESTAMPTZ[], $4::TIMESTAMPTZ[], $5::INTEGER[], $6::INTEGER[],
            $7::BIGINT[], $8::TEXT[])
    AS r (slot_key, location_code, window_start, window_end, taken, capacity, version, state)
ON CONFLICT (slot_key) DO UPDATE
SET location_code = excluded.location_code, window_start = excluded.window_start, window_end = excluded.window_end,
    taken = excluded.taken, capacity = excluded.capacity, version = excluded.version, state = excluded.state
