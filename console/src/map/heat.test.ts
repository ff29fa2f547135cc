import { describe, expect, it } from "vitest";
import { capacityShare, heatColor, heatSteps, NO_STOCK, UNKNOWN } from "./heat";

describe("stock heat", () => {
  it("is white for none, unknown for no level, and runs light to dark up to the most stocked", () => {
    expect(heatColor(0, 10)).toBe(NO_STOCK);
    expect(heatColor(-2, 10)).toBe(NO_STOCK);
    expect(heatColor(null, 10)).toBe(UNKNOWN);
    expect(heatColor(10, 10)).toBe("#08306b");
    expect(heatColor(20, 10)).toBe("#08306b");
    expect(heatColor(0.0001, 10)).toBe("#deebf7");
  });

  it("darkens as stock grows", () => {
    const darkness = (hex: string) => parseInt(hex.slice(1, 3), 16) + parseInt(hex.slice(3, 5), 16);
    expect(darkness(heatColor(2, 10))).toBeGreaterThan(darkness(heatColor(5, 10)));
    expect(darkness(heatColor(5, 10))).toBeGreaterThan(darkness(heatColor(9, 10)));
  });

  it("gives the legend distinct whole-unit steps", () => {
    expect(heatSteps(8).map((s) => s.units)).toEqual([0, 2, 4, 6, 8]);
    expect(heatSteps(2).map((s) => s.units)).toEqual([0, 1, 2]);
    expect(heatSteps(0)).toEqual([{ units: 0, color: NO_STOCK }]);
  });
});

describe("capacity used", () => {
  it("is a share of the day, full when over, none when unlimited", () => {
    expect(capacityShare(25, 100)).toBe(0.25);
    expect(capacityShare(120, 100)).toBe(1);
    expect(capacityShare(3, null)).toBeNull();
    expect(capacityShare(0, 0)).toBe(1);
  });
});
