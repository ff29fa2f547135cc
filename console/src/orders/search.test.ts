import { CombinedError } from "urql";
import { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import {
  NO_FILTERS,
  filterParams,
  filterProblems,
  readFilters,
  searchErrors,
  searchVariables,
} from "./search";

describe("the search in the URL", () => {
  it("reads back what it wrote, without empty filters or a cursor", () => {
    const filters = { ...NO_FILTERS, status: "SHIPPED" as const, sku: " TEE ", from: "2026-03-01" };
    const params = filterParams(filters);
    expect(params.toString()).toBe("status=SHIPPED&sku=TEE&from=2026-03-01");
    expect(readFilters(params)).toEqual({ ...filters, sku: "TEE" });
  });

  it("ignores a status that is not one", () => {
    expect(readFilters(new URLSearchParams("status=SHIPPD")).status).toBeNull();
  });
});

describe("checking a search before asking", () => {
  it("refuses a range that ends before it starts, at its start", () => {
    expect(filterProblems({ ...NO_FILTERS, from: "2026-03-02", to: "2026-03-01" })).toEqual({
      from: "Must not be after “Placed to”.",
    });
    expect(filterProblems({ ...NO_FILTERS, from: "2026-03-01", to: "2026-03-01" })).toEqual({});
  });

  it("refuses what is not a date", () => {
    expect(filterProblems({ ...NO_FILTERS, to: "yesterday" })).toEqual({ to: "Not a date." });
  });
});

describe("the API's arguments", () => {
  it("includes the last day: placed to a day is before the next day's local midnight", () => {
    expect(searchVariables({ ...NO_FILTERS, from: "2026-03-01", to: "2026-03-31", location: "NWK" })).toEqual(
      {
        status: null,
        customerId: null,
        locationCode: "NWK",
        sku: null,
        placedFrom: new Date(2026, 2, 1).toISOString(),
        placedTo: new Date(2026, 3, 1).toISOString(),
      },
    );
  });

  it("places a refusal at the field it names, and the rest apart", () => {
    const error = new CombinedError({
      graphQLErrors: [
        new GraphQLError("placedFrom must not be after placedTo", {
          extensions: { code: "INVALID_ARGUMENT", field: "placedFrom" },
        }),
        new GraphQLError("not allowed to perform orders at CHI", { extensions: { code: "FORBIDDEN" } }),
      ],
    });
    expect(searchErrors(error)).toEqual({
      byField: { from: "placedFrom must not be after placedTo" },
      general: ["not allowed to perform orders at CHI"],
    });
    expect(searchErrors(undefined)).toEqual({ byField: {}, general: [] });
  });
});
