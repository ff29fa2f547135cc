-- Shipments planned at each of $1's locations since $2, those cancelled excluded: the work each took on that day.
SELECT location_code, count(*) AS planned
FROM shipments
WHERE location_code = ANY($1::TEXT[])
  AND planned_at >= $2::TIMESTAMPTZ
  AND status <> 'CANCELLED'
GROUP BY location_code
