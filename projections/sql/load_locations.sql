SELECT code, state::TEXT, version FROM locations WHERE code = ANY ($1::TEXT[])
