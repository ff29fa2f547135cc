SELECT code, name, type, latitude, longitude, active, ship, pickup, accepts_returns, daily_capacity, handling_cost,
       pick_sla_minutes, pickup_hold_days
FROM locations
WHERE code = ANY ($1::TEXT[])
