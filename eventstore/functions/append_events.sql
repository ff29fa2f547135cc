-- Appends events to one stream, atomically, reading top to bottom:
-- lock the stream, read its head, compare versions (a retry is recognised here), chain the hashes, insert.
--
-- p_expected_version: an exact version, 0 for "the stream must not exist yet", -1 for "any version".
-- Returns the stream's new version, the last global position written and the writing transaction's id,
-- which together form the position a reader must reach to see this write.
CREATE OR REPLACE FUNCTION append_events(
    p_stream_id        TEXT,
    p_expected_version BIGINT,
    p_event_ids        UUID[],
    p_event_types      TEXT[],
    p_schema_versions  INTEGER[],
    p_data             TEXT[],
    p_metadata         TEXT[]
) RETURNS TABLE (stream_version BIGINT, global_position BIGINT, transaction_id XID8)
LANGUAGE plpgsql
AS $$
DECLARE
    v_count    INTEGER := cardinality(p_event_ids);
    v_version  BIGINT;
    v_hash     BYTEA;
    v_now      TIMESTAMPTZ;
    v_head_at  TIMESTAMPTZ;
    v_data     JSON[] := p_data::JSON[];
    v_metadata JSON[] := p_metadata::JSON[];
    v_hashes   BYTEA[] := '{}';
    v_known    INTEGER := 0;
BEGIN
    -- Idempotent retries: an append whose event ids are all stored already returns what it first wrote.
    -- With an exact expected version, a retry of an append that committed always finds the stream moved on,
    -- so the ids are only looked up on a version mismatch (below), keeping the lookup off the hot path.
    -- With ANY there is no such tell: look them up first.
    IF p_expected_version = -1 THEN
        SELECT count(*) INTO v_known FROM events e WHERE e.event_id = ANY (p_event_ids);
    END IF;

    IF v_known = 0 THEN
        -- Writers of one stream queue on a transaction-scoped advisory lock on a 64-bit hash of its id: unlike
        -- a row lock it writes nothing. Streams whose ids share a hash merely wait for each other.
        PERFORM pg_advisory_xact_lock(hashtextextended(p_stream_id, 0));
        -- The head is the stream's last event, found through the (stream_id, stream_version) unique key.
        -- This statement takes a new snapshot after the lock is granted, and the previous holder released it
        -- only once committed, so its events are seen. The unique key is the backstop: whatever happens, two
        -- writers never store one version.
        SELECT e.stream_version, e.hash, e.recorded_at INTO v_version, v_hash, v_head_at
        FROM events e WHERE e.stream_id = p_stream_id
        ORDER BY e.stream_version DESC LIMIT 1;
        v_version := coalesce(v_version, 0);
        IF p_expected_version <> -1 AND p_expected_version <> v_version THEN
            SELECT count(*) INTO v_known FROM events e WHERE e.event_id = ANY (p_event_ids);
            IF v_known = 0 THEN
                RAISE EXCEPTION 'stream %: expected version %, actual version %',
                    p_stream_id, p_expected_version, v_version
                    USING ERRCODE = 'ME001', DETAIL = v_version::TEXT, HINT = p_stream_id;
            END IF;
        END IF;
    END IF;

    IF v_known = v_count THEN
        RETURN QUERY
            SELECT e.stream_version, e.global_position, e.transaction_id
            FROM events e WHERE e.event_id = ANY (p_event_ids)
            ORDER BY e.global_position DESC LIMIT 1;
        RETURN;
    ELSIF v_known > 0 THEN
        RAISE EXCEPTION 'stream %: % of % event ids are already stored', p_stream_id, v_known, v_count
            USING ERRCODE = 'ME002';
    END IF;

    -- A new stream enters the catalogue; nothing about a stream is written again after that.
    IF v_version = 0 THEN
        INSERT INTO streams (stream_id, type) VALUES (p_stream_id, split_part(p_stream_id, '-', 1))
        ON CONFLICT DO NOTHING;
    END IF;

    -- Taken after the lock, and never before the head's time (which a store that chained it in Python took from
    -- its own clock), so recorded_at never goes backwards within a stream (as-of reads rely on it).
    v_now := greatest(clock_timestamp(), v_head_at);
    FOR i IN 1 .. v_count LOOP
        v_hash := event_hash(v_hash, p_stream_id, v_version + i, p_event_ids[i], p_event_types[i],
                             p_schema_versions[i], v_data[i], v_metadata[i], v_now);
        v_hashes[i] := v_hash;
    END LOOP;

    RETURN QUERY
    WITH inserted AS (
        INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version, data, metadata,
                            recorded_at, hash)
        SELECT p_stream_id, v_version + n, id, t, sv, d, m, v_now, h
        FROM unnest(p_event_ids, p_event_types, p_schema_versions, v_data, v_metadata, v_hashes)
            WITH ORDINALITY AS x (id, t, sv, d, m, h, n)
        RETURNING events.global_position
    )
    SELECT v_version + v_count, max(i.global_position), pg_current_xact_id() FROM inserted i;
END;
$$;
