SELECT order_id, algorithm, total_cost, decided_at, candidates::TEXT, shipments::TEXT
FROM sourcing_decisions WHERE order_id = ANY ($1::TEXT[])
