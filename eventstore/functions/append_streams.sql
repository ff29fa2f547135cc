-- Appends to several streams in one statement: one round trip and one implicit transaction, all or nothing.
-- Stream i's events are the next p_counts[i] entries of the flattened event arrays. Streams are appended in
-- the order given: callers pass them sorted by stream id, so two multi-stream appends lock in the same order
-- and never deadlock. A version mismatch on any stream raises append_events' error (its HINT names the
-- stream) and undoes the whole statement.
CREATE OR REPLACE FUNCTION append_streams(
    p_stream_ids        TEXT[],
    p_expected_versions BIGINT[],
    p_counts            INTEGER[],
    p_event_ids         UUID[],
    p_event_types       TEXT[],
    p_schema_versions   INTEGER[],
    p_data              TEXT[],
    p_metadata          TEXT[]
) RETURNS TABLE (stream_id TEXT, stream_version BIGINT, global_position BIGINT, transaction_id XID8)
LANGUAGE plpgsql
AS $$
DECLARE
    v_first INTEGER := 1;
    v_last  INTEGER;
BEGIN
    FOR i IN 1 .. cardinality(p_stream_ids) LOOP
        v_last := v_first + p_counts[i] - 1;
        RETURN QUERY
            SELECT p_stream_ids[i], a.stream_version, a.global_position, a.transaction_id
            FROM append_events(p_stream_ids[i], p_expected_versions[i], p_event_ids[v_first:v_last],
                               p_event_types[v_first:v_last], p_schema_versions[v_first:v_last],
                               p_data[v_first:v_last], p_metadata[v_first:v_last]) AS a;
        v_first := v_last + 1;
    END LOOP;
END;
$$;
