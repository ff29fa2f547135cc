-- Per order line, the quantities of `line_summaries`. Priority and placed_at are copied from the header so
-- the backorder allocator can walk one index: a SKU's backordered lines, highest priority, then oldest.
CREATE TABLE IF NOT EXISTS order_lines (
    order_id    TEXT        NOT NULL,
    line_no     INTEGER     NOT NULL,
    sku         TEXT        NOT NULL,
    ordered     INTEGER     NOT NULL,
    allocated   INTEGER     NOT NULL,
    backordered INTEGER     NOT NULL,
    shipped     INTEGER     NOT NULL,
    delivered   INTEGER     NOT NULL,
    cancelled   INTEGER     NOT NULL,
    returned    INTEGER     NOT NULL,
    priority    INTEGER     NOT NULL,
    placed_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (order_id, line_no)
);

CREATE INDEX IF NOT EXISTS order_lines_backordered_idx
    ON order_lines (sku, priority DESC, placed_at, order_id) WHERE backordered > 0;
