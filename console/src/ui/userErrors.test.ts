import { describe, expect, it } from "vitest";
import { fieldKey, placeUserErrors } from "./userErrors";

describe("fieldKey", () => {
  it("drops the input root and joins the path", () => {
    expect(fieldKey(["input", "reason"])).toBe("reason");
    expect(fieldKey(["input", "lines", "0", "picked"])).toBe("lines.0.picked");
    expect(fieldKey(["orderId"])).toBe("orderId");
  });

  it("names no field for an empty, null or root-only path", () => {
    expect(fieldKey(null)).toBeNull();
    expect(fieldKey([])).toBeNull();
    expect(fieldKey(["input"])).toBeNull();
  });
});

describe("placeUserErrors", () => {
  it("puts each error at the field the form shows, the rest in general, naming their field", () => {
    const placed = placeUserErrors(
      [
        { field: ["input", "reason"], message: "Too long", code: "INVALID" },
        { field: ["input", "reason"], message: "Required", code: "REQUIRED" },
        { field: ["input", "orderId"], message: "Already cancelled", code: "INVALID_STATE" },
        { field: null, message: "Try again", code: "CONFLICT" },
      ],
      ["reason"],
    );
    expect(placed.byField).toEqual({ reason: ["Too long", "Required"] });
    expect(placed.general).toEqual(["Already cancelled (orderId)", "Try again"]);
  });
});
