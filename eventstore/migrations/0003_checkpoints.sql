-- Where each named subscriber has got to in the global order. Advanced in the same transaction as the
-- subscriber's own effects, so a crash never applies a batch twice nor loses one.
CREATE TABLE IF NOT EXISTS checkpoints (
    name            TEXT        PRIMARY KEY,
    transaction_id  XID8        NOT NULL,
    global_position BIGINT      NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
