import { describe, expect, it } from "vitest";
import { fromLocalInput, happenedBy, parseAsOf, toLocalInput } from "./asOf";

describe("as of", () => {
  it("round-trips an instant through the local input, to the second", () => {
    const iso = "2026-12-01T16:45:12.000Z";
    expect(fromLocalInput(toLocalInput(iso))).toBe(iso);
  });

  it("treats empty or unparseable values as now", () => {
    expect(toLocalInput(null)).toBe("");
    expect(toLocalInput("yesterday-ish")).toBe("");
    expect(fromLocalInput("")).toBeNull();
    expect(parseAsOf(null)).toBeNull();
    expect(parseAsOf("not a date")).toBeNull();
  });

  it("normalizes the URL's moment to UTC ISO-8601", () => {
    expect(parseAsOf("2026-12-01T17:45:12+01:00")).toBe("2026-12-01T16:45:12.000Z");
  });

  it("keeps what happened by the moment, to the microsecond the API states", () => {
    const asOf = "2026-12-01T16:48:13.568Z";
    expect(happenedBy("2026-12-01T16:48:13.567912+00:00", asOf)).toBe(true);
    expect(happenedBy("2026-12-01T16:48:14.012372+00:00", asOf)).toBe(false);
    expect(happenedBy("2026-12-01T16:48:14.012372+00:00", null)).toBe(true);
  });
});
