-- The readers that stopped at an event they cannot read, and why.
SELECT name, stalled FROM checkpoints WHERE stalled IS NOT NULL ORDER BY name
