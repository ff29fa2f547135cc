import { describe, expect, it } from "vitest";
import { parseTypes, readFilters, toVariables } from "./filters";

describe("readFilters", () => {
  it("reads the stream, the types and a valid time range from the URL", () => {
    const params = new URLSearchParams(
      "stream=order-42&type=OrderPlaced,%20OrderAllocated&from=2026-01-01T00:00:00Z&before=nonsense",
    );
    expect(readFilters(params)).toEqual({
      stream: "order-42",
      types: ["OrderPlaced", "OrderAllocated"],
      from: "2026-01-01T00:00:00.000Z",
      before: null,
    });
  });
});

describe("toVariables", () => {
  it("sends a stream id as streamId and a bare prefix as a category", () => {
    const none = { types: [], from: null, before: null };
    expect(toVariables({ ...none, stream: "order-42" })).toMatchObject({
      streamId: "order-42",
      category: null,
    });
    expect(toVariables({ ...none, stream: "order" })).toMatchObject({ streamId: null, category: "order" });
    expect(toVariables({ ...none, stream: "" })).toMatchObject({
      streamId: null,
      category: null,
      types: null,
    });
  });
});

describe("parseTypes", () => {
  it("drops blanks", () => {
    expect(parseTypes(" A, ,B ,")).toEqual(["A", "B"]);
  });
});
