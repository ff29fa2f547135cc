INSERT INTO order_refunds (order_id, stream_version, amount, currency, cause, return_id, lines, reason,
                           refunded_at)
SELECT order_id, stream_version, amount, currency, cause, return_id, lines::JSONB, reason, refunded_at
FROM unnest($1::TEXT[], $2::INT8[], $3::NUMERIC[], $4::TEXT[], $5::TEXT[], $6::TEXT[], $7::TEXT[], $8::TEXT[],
            $9::TIMESTAMPTZ[])
    AS r (order_id, stream_version, amount, currency, cause, return_id, lines, reason, refunded_at)
-- A refund is a fact recorded once; a batch folded again writes the same row.
ON CONFLICT (order_id, stream_version) DO NOTHING
