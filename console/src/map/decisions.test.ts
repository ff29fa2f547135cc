import { describe, expect, it } from "vitest";
import { decisionStep, whyRejected } from "./decisions";

const at = (code: string, type = "STORE") => ({
  code,
  name: `${code} site`,
  type,
  latitude: 40,
  longitude: -80,
});
const decision = {
  trigger: "PLACED",
  decidedAt: "2026-12-01T10:00:00Z",
  totalCost: 9.5,
  candidates: [
    { selected: true, reason: null, cost: 9.5, location: at("NWK", "DISTRIBUTION_CENTER") },
    { selected: false, reason: "cannot ship", cost: null, location: at("RET", "RETURNS_CENTER") },
    { selected: false, reason: null, cost: 12, location: at("CHI") },
  ],
};

describe("a sourcing decision on the map", () => {
  it("draws the ship-to, links every candidate to it and names why each was turned down", () => {
    const step = decisionStep(decision, { latitude: 40.78, longitude: -73.97, label: "10024" });
    expect(step.markers.map((m) => m.title)).toEqual([
      "Ship-to 10024",
      "NWK (NWK site) chosen, cost 9.50",
      "RET (RET site) rejected: cannot ship",
      "CHI (CHI site) rejected: costlier: 12.00",
    ]);
    expect(step.markers.map((m) => m.shape)).toEqual(["star", "square", "hexagon", "circle"]);
    expect(step.links.map((l) => l.kind)).toEqual(["chosen", "rejected", "rejected"]);
    expect(step.chosen).toEqual([{ code: "NWK", name: "NWK site", cost: 9.5 }]);
    expect(step.rejected.map((r) => r.code)).toEqual(["RET", "CHI"]);
  });

  it("says 'not chosen' when the engine gave neither a reason nor a cost", () => {
    expect(whyRejected({ selected: false, location: at("X") })).toBe("not chosen");
  });
});
