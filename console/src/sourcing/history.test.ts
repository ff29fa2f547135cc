import { describe, expect, it } from "vitest";
import { historyOf } from "./history";

describe("a profile's version history", () => {
  it("reads each definition's version, time, reason and who from its event", () => {
    const rows = historyOf([
      {
        version: 1,
        type: "SourcingProfileDefined",
        at: "2026-12-01T10:00:01Z",
        data: { name: "default", version: 1, reason: "NWK closed", defined_at: "2026-12-01T10:00:00Z" },
        metadata: { actor: "admin:ops-lead" },
      },
      { version: 2, type: "SourcingProfileDefined", at: "2026-12-01T11:00:00Z", data: {}, metadata: {} },
      { version: 3, type: "SomethingElse", at: "2026-12-01T12:00:00Z", data: {}, metadata: {} },
    ]);
    expect(rows).toEqual([
      { version: 1, at: "2026-12-01T10:00:00Z", reason: "NWK closed", who: "admin:ops-lead" },
      { version: 2, at: "2026-12-01T11:00:00Z", reason: "", who: null },
    ]);
  });
});
