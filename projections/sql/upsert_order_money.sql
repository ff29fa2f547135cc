INSERT INTO order_money (order_id, currency, paid, total, refunded, unit_prices)
SELECT order_id, currency, paid, total, refunded, unit_prices::JSONB
FROM unnest($1::TEXT[], $2::TEXT[], $3::NUMERIC[], $4::NUMERIC[], $5::NUMERIC[], $6::TEXT[])
    AS r (order_id, currency, paid, total, refunded, unit_prices)
ON CONFLICT (order_id) DO UPDATE
SET currency = excluded.currency, paid = excluded.paid, total = excluded.total, refunded = excluded.refunded,
    unit_prices = excluded.unit_prices
