SELECT order_id, stream_version, algorithm, total_cost, decided_at, candidates::TEXT, shipments::TEXT, trigger,
       profile_version, gap
FROM sourcing_decisions WHERE order_id = ANY ($1::TEXT[])
ORDER BY order_id, stream_version
