INSERT INTO sourcing_decisions (order_id, algorithm, total_cost, objective, fallback_used, profile_version,
                                decided_at, candidates, shipments, backordered)
SELECT order_id, algorithm, total_cost, objective, fallback_used, profile_version, decided_at,
       candidates::JSONB, shipments::JSONB, backordered::JSONB
FROM unnest($1::TEXT[], $2::TEXT[], $3::FLOAT8[], $4::FLOAT8[], $5::BOOL[], $6::INT[], $7::TIMESTAMPTZ[],
            $8::TEXT[], $9::TEXT[], $10::TEXT[])
    AS r (order_id, algorithm, total_cost, objective, fallback_used, profile_version, decided_at, candidates,
          shipments, backordered)
ON CONFLICT (order_id) DO UPDATE
SET algorithm = excluded.algorithm, total_cost = excluded.total_cost, objective = excluded.objective,
    fallback_used = excluded.fallback_used, profile_version = excluded.profile_version,
    decided_at = excluded.decided_at, candidates = excluded.candidates, shipments = excluded.shipments,
    backordered = excluded.backordered
