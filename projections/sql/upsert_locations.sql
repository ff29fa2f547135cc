INSERT INTO locations (code, name, type, latitude, longitude, ship, pickup, accepts_returns, daily_capacity,
                       handling_cost, pick_sla_minutes, pickup_hold_days, active, version, updated_at, state)
SELECT code, name, type, latitude, longitude, ship, pickup, accepts_returns, daily_capacity, handling_cost,
       pick_sla_minutes, pickup_hold_days, active, version, updated_at, state::JSONB
FROM unnest($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::FLOAT8[], $5::FLOAT8[], $6::BOOL[], $7::BOOL[], $8::BOOL[],
            $9::INT[], $10::FLOAT8[], $11::INT[], $12::INT[], $13::BOOL[], $14::BIGINT[], $15::TIMESTAMPTZ[],
            $16::TEXT[])
    AS r (code, name, type, latitude, longitude, ship, pickup, accepts_returns, daily_capacity, handling_cost,
          pick_sla_minutes, pickup_hold_days, active, version, updated_at, state)
ON CONFLICT (code) DO UPDATE
SET name = excluded.name, type = excluded.type, latitude = excluded.latitude, longitude = excluded.longitude,
    ship = excluded.ship, pickup = excluded.pickup, accepts_returns = excluded.accepts_returns,
    daily_capacity = excluded.daily_capacity, handling_cost = excluded.handling_cost,
    pick_sla_minutes = excluded.pick_sla_minutes, pickup_hold_days = excluded.pickup_hold_days,
    active = excluded.active, version = excluded.version, updated_at = excluded.updated_at, state = excluded.state
