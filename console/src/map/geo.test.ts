import { describe, expect, it } from "vitest";
import { ATLAS_HEIGHT, ATLAS_WIDTH, projector, scaleFor } from "./geo";

describe("the map's projection", () => {
  it("uses the atlas's own scale at the atlas's size and scales with the side that binds", () => {
    expect(scaleFor(ATLAS_WIDTH, ATLAS_HEIGHT)).toBe(1300);
    expect(scaleFor(ATLAS_WIDTH / 2, ATLAS_HEIGHT)).toBe(650);
    expect(scaleFor(ATLAS_WIDTH * 2, ATLAS_HEIGHT)).toBe(1300);
  });

  it("puts the east to the right of the west and the north above the south, inside the viewport", () => {
    const project = projector();
    const newark = project({ latitude: 40.73, longitude: -74.17 });
    const chicago = project({ latitude: 41.88, longitude: -87.63 });
    const louisville = project({ latitude: 38.25, longitude: -85.76 });
    expect(newark && chicago && louisville).toBeTruthy();
    if (!newark || !chicago || !louisville) return;
    expect(newark[0]).toBeGreaterThan(chicago[0]);
    expect(chicago[1]).toBeLessThan(louisville[1]);
    for (const [x, y] of [newark, chicago, louisville]) {
      expect(x).toBeGreaterThan(0);
      expect(x).toBeLessThan(ATLAS_WIDTH);
      expect(y).toBeGreaterThan(0);
      expect(y).toBeLessThan(ATLAS_HEIGHT);
    }
  });

  it("has no place for a point outside the US", () => {
    expect(projector()({ latitude: 48.86, longitude: 2.35 })).toBeNull();
  });

  it("halves the distances when the viewport is half as large", () => {
    const full = projector()({ latitude: 41.88, longitude: -87.63 });
    const half = projector(ATLAS_WIDTH / 2, ATLAS_HEIGHT / 2)({ latitude: 41.88, longitude: -87.63 });
    expect(full && half).toBeTruthy();
    if (!full || !half) return;
    expect(half[0]).toBeCloseTo(full[0] / 2, 6);
    expect(half[1]).toBeCloseTo(full[1] / 2, 6);
  });
});
