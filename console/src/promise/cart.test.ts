import { describe, expect, it } from "vitest";
import { cartLines, queryErrors } from "./cart";

describe("cartLines", () => {
  it("leaves blank rows out and adds up a SKU typed twice", () => {
    expect(
      cartLines([
        { sku: " TEE ", quantity: "2" },
        { sku: "", quantity: "5" },
        { sku: "TEE", quantity: "1" },
        { sku: "MUG", quantity: "" },
      ]),
    ).toEqual([
      { sku: "TEE", quantity: 3 },
      { sku: "MUG", quantity: 1 },
    ]);
  });
  it("passes a quantity that is not a whole number on as 0, for the API to refuse", () => {
    expect(cartLines([{ sku: "TEE", quantity: "1.5" }])).toEqual([{ sku: "TEE", quantity: 0 }]);
  });
});

describe("queryErrors", () => {
  it("names the field the API names, once per refusal", () => {
    const refusal = {
      message: "unknown postal code",
      extensions: { code: "INVALID_ADDRESS", field: "input.shipTo" },
    };
    expect(queryErrors([refusal, refusal, { message: "boom" }])).toEqual([
      { field: ["input", "shipTo"], message: "unknown postal code", code: "INVALID_ADDRESS" },
      { field: null, message: "boom", code: "ERROR" },
    ]);
  });
});
