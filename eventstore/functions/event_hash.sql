-- The link of a stream's tamper-evident chain: sha256(previous hash || the event's fields, joined by U+001F).
-- The payloads are their exact stored text (json columns), and the time is taken as integer microseconds so
-- that the session's TimeZone never changes the hash. eventstore/chain.py computes the very same bytes in
-- Python for appends chained by the store; `verify` recomputes every link here, whoever chained it.
--
-- STABLE, not IMMUTABLE: concat_ws and extract are STABLE, and PostgreSQL only inlines a SQL function whose
-- body is no more volatile than it declares. Inlined, a call costs a few microseconds; not inlined, each new
-- transaction plans the body again (about a third of an append's server time, measured). The bytes it returns
-- are unchanged.
CREATE OR REPLACE FUNCTION event_hash(
    previous       BYTEA,
    stream_id      TEXT,
    stream_version BIGINT,
    event_id       UUID,
    event_type     TEXT,
    schema_version INTEGER,
    data           JSON,
    metadata       JSON,
    recorded_at    TIMESTAMPTZ
) RETURNS BYTEA
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT sha256(
        coalesce(previous, ''::BYTEA) || convert_to(concat_ws(E'\x1f',
            stream_id, stream_version, event_id, event_type, schema_version, data::TEXT, metadata::TEXT,
            (extract(EPOCH FROM recorded_at) * 1000000)::BIGINT
        ), 'UTF8')
    )
$$;
