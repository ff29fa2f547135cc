-- The outbox (0005) is gone: nothing wrote to it but its own tests. Jobs follow from the log itself (the
-- dispatcher is a reader of the log with a checkpoint), so there is nothing to relay.
DROP TABLE IF EXISTS outbox;
