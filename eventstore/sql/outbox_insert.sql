INSERT INTO outbox (topic, payload) SELECT t, p::JSONB FROM unnest($1::TEXT[], $2::TEXT[]) AS x (t, p)
