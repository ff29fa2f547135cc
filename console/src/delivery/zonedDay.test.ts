import { describe, expect, it } from "vitest";
import { dayIn, nextDay, startOfDay, windowTimes } from "./zonedDay";

describe("startOfDay", () => {
  it("finds a zone's midnight", () => {
    expect(startOfDay("2026-12-01", "America/New_York")).toBe("2026-12-01T05:00:00.000Z");
    expect(startOfDay("2026-07-01", "America/New_York")).toBe("2026-07-01T04:00:00.000Z");
    expect(startOfDay("2026-12-01", "Asia/Tokyo")).toBe("2026-11-30T15:00:00.000Z");
    expect(startOfDay("2026-12-01", "UTC")).toBe("2026-12-01T00:00:00.000Z");
  });
  it("holds on the days the clocks change", () => {
    expect(startOfDay("2026-03-08", "America/New_York")).toBe("2026-03-08T05:00:00.000Z");
    expect(startOfDay("2026-03-09", "America/New_York")).toBe("2026-03-09T04:00:00.000Z");
    expect(startOfDay("2026-11-01", "America/New_York")).toBe("2026-11-01T04:00:00.000Z");
  });
});

describe("nextDay, dayIn and windowTimes", () => {
  it("step and read local days", () => {
    expect(nextDay("2026-12-31")).toBe("2027-01-01");
    expect(nextDay("2028-02-28")).toBe("2028-02-29");
    expect(dayIn("2026-12-02T03:00:00Z", "America/New_York")).toBe("2026-12-01");
    expect(windowTimes("2026-12-01T19:00:00Z", "2026-12-01T20:00:00Z", "America/New_York")).toBe(
      "14:00–15:00",
    );
  });
});
