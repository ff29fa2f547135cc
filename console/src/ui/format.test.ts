import { describe, expect, it } from "vitest";
import { formatDateTime, formatMoney, formatRelative, humanize, summarizeEventData } from "./format";

describe("formatMoney", () => {
  it("formats exact decimal amounts in their currency", () => {
    expect(formatMoney({ amount: "1234.50", currency: "USD" })).toBe("$1,234.50");
    expect(formatMoney({ amount: "500", currency: "JPY" })).toBe("¥500");
  });

  it("shows a dash for no price and the raw text for what it cannot format", () => {
    expect(formatMoney(null)).toBe("—");
    expect(formatMoney({ amount: "abc", currency: "USD" })).toBe("abc USD");
    expect(formatMoney({ amount: "1", currency: "NOT-A-CODE" })).toBe("1 NOT-A-CODE");
  });
});

describe("dates", () => {
  it("formats an instant in UTC, and a dash for none", () => {
    expect(formatDateTime("2026-03-04T05:06:07Z")).toBe("Mar 04, 2026, 05:06:07");
    expect(formatDateTime(null)).toBe("—");
  });

  it("says how far an instant is from now", () => {
    const now = new Date("2026-03-04T12:00:00Z");
    expect(formatRelative("2026-03-06T12:00:00Z", now)).toBe("in 2 days");
    expect(formatRelative("2026-03-04T09:00:00Z", now)).toBe("3 hours ago");
    expect(formatRelative("2026-03-04T12:00:30Z", now)).toBe("in 30 seconds");
  });
});

describe("humanize", () => {
  it("turns enum values and event types into words", () => {
    expect(humanize("IN_FULFILLMENT")).toBe("In fulfillment");
    expect(humanize("OrderPlaced")).toBe("Order placed");
    expect(humanize("SourcingDecided")).toBe("Sourcing decided");
  });
});

describe("summarizeEventData", () => {
  it("lists scalars, counts collections and leaves the order id out", () => {
    expect(summarizeEventData({ order_id: "o1", reason: "fraud check", lines: [1, 2], note: null })).toBe(
      "reason: fraud check, lines: 2 items",
    );
    expect(summarizeEventData("text")).toBe("");
  });
});
