import { describe, expect, it } from "vitest";
import { codes, draftField, draftOf, inputOf } from "./draft";

const profile = {
  eligibility: [{ channel: "web", serviceLevel: null, locationTypes: ["STORE" as const] }],
  maxDistanceKm: [{ serviceLevel: "SAME_DAY" as const, value: 40 }],
  maxDays: [{ serviceLevel: "EXPRESS" as const, value: 2 }],
  excludedLocations: ["RET"],
  preferredLocations: [],
  maxShipments: null,
  storePenalty: 1.5,
};

describe("the sourcing draft", () => {
  it("round-trips a version into the API's input, blank limits left out", () => {
    const input = inputOf(draftOf(profile), 3);
    expect(input).toEqual({
      name: "default",
      eligibility: [{ channel: "web", serviceLevel: null, locationTypes: ["STORE"] }],
      maxDistanceKm: [{ serviceLevel: "SAME_DAY", value: 40 }],
      maxDays: [{ serviceLevel: "EXPRESS", value: 2 }],
      excludedLocations: ["RET"],
      preferredLocations: [],
      maxShipments: null,
      storePenalty: 1.5,
      reason: null,
      expectedVersion: 3,
    });
  });

  it("starts from the built-in rules when no version is defined", () => {
    const input = inputOf(draftOf(null));
    expect(input.eligibility[0]?.locationTypes).not.toContain("RETURNS_CENTER");
    expect(input.maxDays).toEqual([
      { serviceLevel: "EXPRESS", value: 2 },
      { serviceLevel: "SAME_DAY", value: 0 },
    ]);
    expect(input).not.toHaveProperty("expectedVersion");
  });

  it("reads location codes separated by commas or spaces", () => {
    expect(codes(" nwk, CHI ,, ret")).toEqual(["NWK", "CHI", "RET"]);
  });

  it("places an error at the top-level field it names", () => {
    expect(draftField(["input", "excludedLocations", "0"])).toBe("excludedLocations");
    expect(draftField("input.profile.maxDays.1.value")).toBe("maxDays");
    expect(draftField(["input", "expectedVersion"])).toBe("expectedVersion");
    expect(draftField(null)).toBeNull();
  });
});
