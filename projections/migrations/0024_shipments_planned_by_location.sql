-- A location's capacity used today (the console's network map, issue 18): the shipments planned at it since a
-- moment, read per location without scanning every shipment.
CREATE INDEX IF NOT EXISTS shipments_location_planned_idx ON shipments (location_code, planned_at);
