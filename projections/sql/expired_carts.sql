-- Carts still HELD whose TTL has ended by $1 (as the domain decides: at or after expires_at), soonest first,
-- at most $2.
SELECT cart_id
FROM cart_reservations
WHERE status = 'HELD'
  AND expires_at <= $1::TIMESTAMPTZ
ORDER BY expires_at, cart_id
LIMIT $2
