-- A reader of the log that meets an event it cannot read (a type or schema version its code does not know, as a
-- newer version may write during a rolling deploy) stops there and says why here, so that /readyz and /metrics
-- of any process see it (follower.py). Its checkpoint stays before the event; the note goes when it next moves.
ALTER TABLE checkpoints ADD COLUMN IF NOT EXISTS stalled TEXT;
