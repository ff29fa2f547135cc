-- One location's delivery windows with slots taken, starting in [$2, $3), after the keyset cursor $4 (a window
-- start; NULL for the first page), in time order on delivery_slots_location_idx.
SELECT window_start, window_end, taken, capacity
FROM delivery_slots
WHERE location_code = $1 AND window_start >= $2 AND window_start < $3
  AND ($4::TIMESTAMPTZ IS NULL OR window_start > $4)
ORDER BY window_start
LIMIT $5
