-- The one append: events onto one or more streams in one statement (one round trip, one implicit
-- transaction, all or nothing). For each stream, reading top to bottom: lock it, read its version, compare with
-- the expected one (a retry is recognised here), insert the events chained onto its head, return the position.
--
-- Stream i's events are the next p_counts[i] entries of the flattened event arrays. Streams are appended in the
-- order given: callers pass them sorted by stream id, so two multi-stream appends take their locks in the same
-- order and never deadlock. p_expected_versions[i]: an exact version, 0 for "the stream must not exist yet",
-- -1 for "any version". Per stream, in the order given, comes back: its new version, the last global position
-- and the transaction id (together, the position a reader must reach to see the write), and the hash and time
-- of the event at that version (the head the store may chain its next single-event append onto: fast_path.py).
CREATE OR REPLACE FUNCTION append_events(
    p_stream_ids        TEXT[],
    p_expected_versions BIGINT[],
    p_counts            INTEGER[],
    p_event_ids         UUID[],
    p_event_types       TEXT[],
    p_schema_versions   INTEGER[],
    p_data              TEXT[],
    p_metadata          TEXT[]
) RETURNS TABLE (stream_version BIGINT, global_position BIGINT, transaction_id XID8, hash BYTEA,
                 recorded_at TIMESTAMPTZ)
LANGUAGE plpgsql
-- Every read here is a key lookup (a stream's last version, event ids), for which a sequential scan of `events`
-- is never the right plan. Yet one can be chosen: a session caches this function's plans, made while the log
-- was small, until the table's statistics next change, which with autovacuum off (a fresh restore, a bulk
-- import) is never; and a large table without statistics is guessed at. Forbidding the scan makes every plan an
-- index plan, whatever the statistics (issue 19; bench/unanalyzed.py: 38 -> 1,700 appends/s with ANY on 200k events).
SET enable_seqscan = off
AS $$
DECLARE
    v_data     JSON[] := p_data::JSON[];  -- json, not jsonb: the exact text appended is what is hashed and stored
    v_metadata JSON[] := p_metadata::JSON[];
    v_last     INTEGER := 0;
    v_first    INTEGER;
    v_stream   TEXT;
    v_expected BIGINT;
    v_ids      UUID[];
    v_version  BIGINT;
    v_hash     BYTEA;
    v_at       TIMESTAMPTZ;
    v_stored   INTEGER;
    v_here     INTEGER;
    v_hashes   BYTEA[];
BEGIN
    FOR i IN 1 .. cardinality(p_stream_ids) LOOP
        v_stream := p_stream_ids[i];
        v_expected := p_expected_versions[i];
        v_first := v_last + 1;
        v_last := v_last + p_counts[i];
        v_ids := p_event_ids[v_first:v_last];

        -- 1. Lock. Writers of one stream queue on a transaction-scoped advisory lock on a 64-bit hash of its id:
        -- unlike a row lock it writes nothing. Streams whose ids share a hash merely wait for each other.
        PERFORM pg_advisory_xact_lock(hashtextextended(v_stream, 0));

        -- 2. Read the version: the stream's last event, through the (stream_id, stream_version) unique key.
        -- This statement takes a new snapshot after the lock is granted, and the previous holder released it
        -- only once committed, so its events are seen. The unique key is the backstop: the store's chained
        -- INSERT takes no lock, and whoever comes second on a version fails there, so two writers never store one.
        SELECT e.stream_version, e.hash, e.recorded_at INTO v_version, v_hash, v_at
        FROM events e WHERE e.stream_id = v_stream
        ORDER BY e.stream_version DESC LIMIT 1;
        v_version := coalesce(v_version, 0);

        -- 3. Compare. A retry of an append that committed finds the stream moved on, so with an exact expected
        -- version the event ids are looked up only on a mismatch, keeping the lookup off the common path. With
        -- "any version" there is no such tell: look them up always. All stored in this stream: a retry, which
        -- returns what it first wrote and writes nothing.
        IF v_expected = -1 OR v_expected <> v_version THEN
            SELECT count(*), count(*) FILTER (WHERE e.stream_id = v_stream) INTO v_stored, v_here
            FROM events e WHERE e.event_id = ANY (v_ids);
            IF v_here = p_counts[i] THEN
                RETURN QUERY
                    SELECT e.stream_version, e.global_position, e.transaction_id, e.hash, e.recorded_at
                    FROM events e WHERE e.event_id = ANY (v_ids)
                    ORDER BY e.stream_version DESC LIMIT 1;
                CONTINUE;
            ELSIF v_stored > 0 THEN
                RAISE EXCEPTION 'stream %: % of % event ids are already stored', v_stream, v_stored, p_counts[i]
                    USING ERRCODE = 'ME002';
            ELSIF v_expected <> -1 THEN
                RAISE EXCEPTION 'stream %: expected version %, actual version %', v_stream, v_expected, v_version
                    USING ERRCODE = 'ME001', DETAIL = v_version::TEXT, HINT = v_stream;
            END IF;
        END IF;

        -- 4. Insert. A new stream enters the catalogue; nothing about a stream is written again after that.
        IF v_version = 0 THEN
            INSERT INTO streams (stream_id, type) VALUES (v_stream, split_part(v_stream, '-', 1))
            ON CONFLICT DO NOTHING;
        END IF;
        -- Taken after the lock, and never before the head's time (which the store may have taken from its own
        -- clock, chaining in Python), so recorded_at never goes backwards within a stream (as-of reads rely on it).
        v_at := greatest(clock_timestamp(), v_at);
        v_hashes := '{}';
        FOR n IN 1 .. p_counts[i] LOOP
            v_hash := event_hash(v_hash, v_stream, v_version + n, v_ids[n], p_event_types[v_first + n - 1],
                                 p_schema_versions[v_first + n - 1], v_data[v_first + n - 1],
                                 v_metadata[v_first + n - 1], v_at);
            v_hashes[n] := v_hash;
        END LOOP;

        -- 5. Return the position.
        RETURN QUERY
        WITH inserted AS (
            INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version, data, metadata,
                                recorded_at, hash)
            SELECT v_stream, v_version + n, id, t, sv, d, m, v_at, h
            FROM unnest(v_ids, p_event_types[v_first:v_last], p_schema_versions[v_first:v_last],
                        v_data[v_first:v_last], v_metadata[v_first:v_last], v_hashes)
                WITH ORDINALITY AS x (id, t, sv, d, m, h, n)
            RETURNING events.global_position
        )
        SELECT v_version + p_counts[i], max(s.global_position), pg_current_xact_id(), v_hash, v_at
        FROM inserted s;
    END LOOP;
END;
$$;
