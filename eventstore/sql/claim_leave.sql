-- Leaves the group: every claim and the membership go (the claims' connection holds no other session lock, and
-- the pools here skip asyncpg's reset, which would otherwise unlock them as the connection returns).
SELECT pg_advisory_unlock_all()
