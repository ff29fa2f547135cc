-- append.sql for the common case of a single event: scalars cost the client less to encode than arrays.
SELECT stream_version, global_position, transaction_id
FROM append_events($1, $2, ARRAY[$3::UUID], ARRAY[$4::TEXT], ARRAY[$5::INTEGER], ARRAY[$6::TEXT], ARRAY[$7::TEXT])
