import { describe, expect, it } from "vitest";
import { fillLevel, fillSummary, fillText } from "./fill";

describe("fillLevel", () => {
  it("reads a window without capacity as closed", () => {
    expect(fillLevel(0, 0)).toBe("closed");
  });
  it("is open while most slots are free", () => {
    expect(fillLevel(0, 4)).toBe("open");
    expect(fillLevel(2, 4)).toBe("open");
  });
  it("is nearly full from three quarters booked", () => {
    expect(fillLevel(3, 4)).toBe("filling");
    expect(fillLevel(1, 2)).toBe("open");
    expect(fillLevel(0, 1)).toBe("open");
    expect(fillLevel(7, 10)).toBe("open");
    expect(fillLevel(8, 10)).toBe("filling");
  });
  it("is full when every slot is booked, even past a lowered capacity", () => {
    expect(fillLevel(4, 4)).toBe("full");
    expect(fillLevel(5, 3)).toBe("full");
  });
});

describe("fillText and fillSummary", () => {
  it("say the words and the numbers", () => {
    expect(fillText(3, 4)).toBe("Nearly full: 3 of 4 booked");
    expect(fillSummary([])).toBe("No delivery windows in this span.");
    expect(
      fillSummary([
        { taken: 1, capacity: 1 },
        { taken: 3, capacity: 4 },
        { taken: 0, capacity: 4 },
      ]),
    ).toBe("3 windows: 1 full, 1 nearly full.");
  });
});
