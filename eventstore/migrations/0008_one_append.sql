-- One append function for one stream or several (functions/append_events.sql, which takes stream arrays) in
-- place of append_events for one stream and append_streams looping over it. The old signatures go here, before
-- the functions folder creates the new one; stored events and their hashes are untouched.
DROP FUNCTION IF EXISTS append_streams(TEXT[], BIGINT[], INTEGER[], UUID[], TEXT[], INTEGER[], TEXT[], TEXT[]);
DROP FUNCTION IF EXISTS append_events(TEXT, BIGINT, UUID[], TEXT[], INTEGER[], TEXT[], TEXT[]);
