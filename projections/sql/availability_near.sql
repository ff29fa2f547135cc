-- Where these SKUs ($1) can be promised from, nearest first to a point ($2 latitude, $3 longitude), within
-- $4 km. Walks stock_levels_available_idx (only rows with ATP > 0), joins the locations it names and keeps
-- those inside the bounding box of the radius before computing great-circle distances.
WITH nearby AS (
    SELECT s.sku, s.location_code, s.available, l.latitude, l.longitude,
           2 * 6371.0088 * asin(sqrt(
               power(sin(radians(l.latitude - $2::FLOAT8) / 2), 2)
               + cos(radians($2::FLOAT8)) * cos(radians(l.latitude))
                 * power(sin(radians(l.longitude - $3::FLOAT8) / 2), 2))) AS distance_km
    FROM stock_levels s
    JOIN locations l ON l.code = s.location_code
    WHERE s.sku = ANY ($1::TEXT[])
      AND s.available > 0
      AND l.active AND l.ship
      AND l.latitude BETWEEN $2::FLOAT8 - $4::FLOAT8 / 111.0 AND $2::FLOAT8 + $4::FLOAT8 / 111.0
)
SELECT sku, location_code, available, latitude, longitude, distance_km
FROM nearby
WHERE distance_km <= $4::FLOAT8
ORDER BY distance_km, location_code, sku
LIMIT $5
