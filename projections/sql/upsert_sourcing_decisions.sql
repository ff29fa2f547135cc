INSERT INTO sourcing_decisions (order_id, stream_version, algorithm, total_cost, objective, fallback_used,
                                profile_version, decided_at, candidates, shipments, backordered, trigger,
                                lower_bound, gap)
SELECT order_id, stream_version, algorithm, total_cost, objective, fallback_used, profile_version, decided_at,
       candidates::JSONB, shipments::JSONB, backordered::JSONB, trigger, lower_bound, gap
FROM unnest($1::TEXT[], $2::INT8[], $3::TEXT[], $4::FLOAT8[], $5::FLOAT8[], $6::BOOL[], $7::INT[],
            $8::TIMESTAMPTZ[], $9::TEXT[], $10::TEXT[], $11::TEXT[], $12::TEXT[], $13::FLOAT8[], $14::FLOAT8[])
    AS r (order_id, stream_version, algorithm, total_cost, objective, fallback_used, profile_version, decided_at,
          candidates, shipments, backordered, trigger, lower_bound, gap)
-- A decision is a fact recorded once; a batch folded again writes the same row.
ON CONFLICT (order_id, stream_version) DO NOTHING
