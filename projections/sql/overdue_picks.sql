-- PLANNED shipments not picked within their location's SLA as of $1 (strictly more than the SLA has passed,
-- as the domain decides), oldest first, at most $2. Locations without an SLA never expire a pick. A shipment for a
-- later delivery window is not picked before its release: its SLA runs from then.
SELECT s.order_id, s.shipment_id
FROM shipments s
JOIN locations l ON l.code = s.location_code
WHERE s.status = 'PLANNED'
  AND NOT s.awaiting_transfer  -- a pickup shipment's SLA starts when its transfer arrives
  AND s.planned_at IS NOT NULL
  AND l.pick_sla_minutes IS NOT NULL
  AND COALESCE(s.release_at, s.planned_at) < $1::TIMESTAMPTZ - make_interval(mins => l.pick_sla_minutes)
ORDER BY s.planned_at, s.order_id, s.shipment_id
LIMIT $2
