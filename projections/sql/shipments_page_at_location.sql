-- A location's shipments in the order they should be worked: oldest order first. Keyset cursor ($3, $4, $5:
-- placed_at, order_id, shipment_id; NULL for the first page); $2 the statuses wanted (NULL: any). A pickup
-- shipment waiting for its transfer is not the store's work yet; nor is a PLANNED shipment for a later delivery
-- window before its release: with $7 (now), unreleased ones are left out.
SELECT s.order_id, s.shipment_id, o.placed_at
FROM shipments s
JOIN orders o ON o.order_id = s.order_id
WHERE s.location_code = $1
  AND NOT s.awaiting_transfer
  AND ($2::TEXT[] IS NULL OR s.status = ANY ($2::TEXT[]))
  AND ($7::TIMESTAMPTZ IS NULL OR s.status <> 'PLANNED' OR s.release_at IS NULL OR s.release_at <= $7::TIMESTAMPTZ)
  AND ($3::TIMESTAMPTZ IS NULL OR (o.placed_at, s.order_id, s.shipment_id) > ($3::TIMESTAMPTZ, $4::TEXT, $5::TEXT))
ORDER BY o.placed_at, s.order_id, s.shipment_id
LIMIT $6
