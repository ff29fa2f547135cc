SELECT return_id, state::TEXT, version FROM returns WHERE return_id = ANY ($1::TEXT[])
