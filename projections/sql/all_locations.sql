SELECT code, name, type, latitude, longitude, active FROM locations ORDER BY code
