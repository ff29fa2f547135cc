-- The next window of the global log after a position, in (transaction_id, global_position) order.
--
-- The xmin guard stops the window before the oldest transaction still in progress: its events may carry
-- smaller global positions than events already committed, and reading past it would skip them for good.
-- Rows outside the filters come back without data, so a filtered reader still learns how far it scanned.
-- The guard row always comes back, last (its NULL positions sort after every event), even for an empty
-- window: `held_back` says whether committed events wait behind the guard (then a reader looks again soon:
-- the transaction holding them may send no wake-up). Both branches of the UNION arrive already in order, so
-- the final ORDER BY merges them instead of sorting the window (a quarter of a 10,000-event page's time).
WITH guard AS (
    SELECT xmin,
           -- The newest event, found from the end of the index: is it from the guard onwards?
           (SELECT e.transaction_id FROM events e ORDER BY e.transaction_id DESC LIMIT 1) >= xmin AS held_back
    FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin) AS now
)
SELECT *
FROM (
    SELECT global_position, transaction_id, stream_id, stream_version, event_id, event_type, schema_version,
           CASE WHEN wanted THEN data::TEXT END AS data,
           CASE WHEN wanted THEN metadata::TEXT END AS metadata,
           recorded_at, wanted, NULL::BOOLEAN AS held_back
    FROM (
        SELECT *, ($4::TEXT[] IS NULL OR event_type = ANY ($4))
              AND ($5::TEXT[] IS NULL OR split_part(stream_id, '-', 1) = ANY ($5))
              -- A stream's partition among $6: records.partition_of, the same arithmetic.
              AND ($6::INT IS NULL OR (('x' || left(md5(stream_id), 8))::BIT(32)::BIGINT % $6) = ANY ($7::INT[]))
              AS wanted
        FROM events
        WHERE (transaction_id, global_position) > ($1::XID8, $2::BIGINT)
          AND transaction_id < (SELECT xmin FROM guard)
        ORDER BY transaction_id, global_position
        LIMIT $3
    ) AS scanned
    UNION ALL
    SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, coalesce(held_back, FALSE)
    FROM guard
) AS page
ORDER BY transaction_id, global_position
