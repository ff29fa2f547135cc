// The orders search as the URL holds it (`?status=&customer=&location=&sku=&from=&to=`, then the cursor trail
// `after=`), so a search can be shared and Back returns to the previous one; and as the API's `orders` arguments.
import type { CombinedError } from "urql";
import type { OrderStatus } from "../gql/graphql";
import { parseStatus } from "./statuses";

export interface OrderFilters {
  status: OrderStatus | null;
  customer: string;
  location: string;
  sku: string;
  /** Days (YYYY-MM-DD, local time), both included. */
  from: string;
  to: string;
}

export type FilterKey = keyof OrderFilters;

export const NO_FILTERS: OrderFilters = {
  status: null,
  customer: "",
  location: "",
  sku: "",
  from: "",
  to: "",
};

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function readFilters(params: URLSearchParams): OrderFilters {
  const text = (key: string) => (params.get(key) ?? "").trim();
  return {
    status: parseStatus(params.get("status")),
    customer: text("customer"),
    location: text("location"),
    sku: text("sku"),
    from: text("from"),
    to: text("to"),
  };
}

/** The URL of a new search: its filters (empty ones left out) and no cursor, so it starts at the first page. */
export function filterParams(filters: OrderFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    const trimmed = (value ?? "").trim();
    if (trimmed) params.set(key, trimmed);
  }
  return params;
}

/** What is wrong with the filters before asking, by field (the API checks the same and names its argument). */
export function filterProblems(filters: OrderFilters): Partial<Record<FilterKey, string>> {
  const problems: Partial<Record<FilterKey, string>> = {};
  if (filters.from && !DAY.test(filters.from)) problems.from = "Not a date.";
  if (filters.to && !DAY.test(filters.to)) problems.to = "Not a date.";
  if (!problems.from && !problems.to && filters.from && filters.to && filters.from > filters.to) {
    problems.from = "Must not be after “Placed to”.";
  }
  return problems;
}

/** Local midnight starting `day`, `days` later, as a UTC instant. */
function startOfDay(day: string, days = 0): string {
  const [year, month, date] = day.split("-").map(Number);
  return new Date(year ?? 0, (month ?? 1) - 1, (date ?? 1) + days).toISOString();
}

/** The `orders` arguments of these filters: "placed to" a day includes that day (the API's bound excludes). */
export function searchVariables(filters: OrderFilters) {
  return {
    status: filters.status,
    customerId: filters.customer || null,
    locationCode: filters.location || null,
    sku: filters.sku || null,
    placedFrom: filters.from ? startOfDay(filters.from) : null,
    placedTo: filters.to ? startOfDay(filters.to, 1) : null,
  };
}

const FIELD_OF_ARGUMENT: Record<string, FilterKey> = {
  status: "status",
  customerId: "customer",
  locationCode: "location",
  sku: "sku",
  placedFrom: "from",
  placedTo: "to",
};

/** The API's refusal placed at the form's field its `extensions.field` names; the rest stays general. */
export function searchErrors(error: CombinedError | undefined): {
  byField: Partial<Record<FilterKey, string>>;
  general: string[];
} {
  const byField: Partial<Record<FilterKey, string>> = {};
  const general: string[] = [];
  if (!error) return { byField, general };
  if (error.networkError) general.push(error.message);
  for (const e of error.graphQLErrors) {
    const argument = e.extensions["field"];
    const key = typeof argument === "string" ? FIELD_OF_ARGUMENT[argument] : undefined;
    if (key) byField[key] = e.message;
    else general.push(e.message);
  }
  return { byField, general };
}
