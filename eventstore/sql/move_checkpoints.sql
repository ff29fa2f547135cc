-- Moves checkpoints pairwise: $1[i] takes the position of $2[i] (replacing any checkpoint of that name), and
-- every checkpoint named in $2 goes. A name may stand in $2 several times: a rebuilt copy's position becomes
-- that of each partition of the live reader. (Every part of the statement sees the table as it was before it.)
WITH pairs AS (
    SELECT * FROM unnest($1::TEXT[], $2::TEXT[]) AS m (to_name, from_name)
),
moved AS (
    SELECT p.to_name, c.transaction_id, c.global_position
    FROM pairs p JOIN checkpoints c ON c.name = p.from_name
),
gone AS (
    DELETE FROM checkpoints WHERE name IN (SELECT from_name FROM pairs) AND name NOT IN (SELECT to_name FROM pairs)
)
INSERT INTO checkpoints (name, transaction_id, global_position, updated_at)
SELECT to_name, transaction_id, global_position, now() FROM moved
ON CONFLICT (name) DO UPDATE
SET transaction_id = excluded.transaction_id, global_position = excluded.global_position, updated_at = now()
