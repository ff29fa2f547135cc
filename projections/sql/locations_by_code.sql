SELECT code, name, type, latitude, longitude, active FROM locations WHERE code = ANY ($1::TEXT[])
