import { describe, expect, it } from "vitest";
import { addSubstitute, move, removeAt } from "./list";

describe("addSubstitute", () => {
  it("adds a trimmed SKU last, once, never the SKU itself", () => {
    expect(addSubstitute(["A"], " B ", "TEE")).toEqual(["A", "B"]);
    expect(addSubstitute(["A"], "A", "TEE")).toEqual(["A"]);
    expect(addSubstitute(["A"], "  ", "TEE")).toEqual(["A"]);
    expect(addSubstitute(["A"], "TEE", "TEE")).toEqual(["A"]);
  });
});

describe("move and removeAt", () => {
  it("move an item one place, clamped at the ends", () => {
    expect(move(["A", "B", "C"], 2, -1)).toEqual(["A", "C", "B"]);
    expect(move(["A", "B", "C"], 0, 1)).toEqual(["B", "A", "C"]);
    expect(move(["A", "B", "C"], 0, -1)).toEqual(["A", "B", "C"]);
    expect(move(["A", "B", "C"], 2, 1)).toEqual(["A", "B", "C"]);
    expect(move(["A", "B", "C"], 5, -1)).toEqual(["A", "B", "C"]);
  });
  it("remove the item at an index", () => {
    expect(removeAt(["A", "B", "C"], 1)).toEqual(["A", "C"]);
    expect(removeAt(["A"], 3)).toEqual(["A"]);
  });
});
