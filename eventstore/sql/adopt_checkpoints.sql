-- A partitioned reader's layout changed (how many partitions): each of its checkpoints ($1) not yet saved starts
-- at the oldest checkpoint of the same reader under the former layout (names matching the regex $2), and the
-- former layout's checkpoints go. Starting there is safe for a reader whose effects skip what they already
-- hold (the projections skip events at or below a row's stream version): events between the oldest and a
-- partition's own former position are handled again to no effect. Without a former checkpoint, a new one is
-- not saved: it reads from the start.
WITH former AS (
    SELECT name, transaction_id, global_position
    FROM checkpoints
    WHERE name ~ $2::TEXT AND name <> ALL ($1::TEXT[])
),
oldest AS (
    SELECT transaction_id, global_position FROM former ORDER BY transaction_id, global_position LIMIT 1
),
adopted AS (
    INSERT INTO checkpoints (name, transaction_id, global_position, updated_at)
    SELECT name, o.transaction_id, o.global_position, now() FROM unnest($1::TEXT[]) AS name, oldest o
    ON CONFLICT (name) DO NOTHING
)
DELETE FROM checkpoints WHERE name IN (SELECT name FROM former)
