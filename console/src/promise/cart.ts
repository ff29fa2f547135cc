// The cart customer service types in: rows of SKU and quantity, as text until asked. Pure.
import type { UserErrorLike } from "../ui/userErrors";

export interface CartRow {
  sku: string;
  quantity: string;
}

export interface CartLine {
  sku: string;
  quantity: number;
}

/** The rows as order lines: blank rows left out, the same SKU added up; quantities the API judges. */
export function cartLines(rows: readonly CartRow[]): CartLine[] {
  const totals = new Map<string, number>();
  for (const row of rows) {
    const sku = row.sku.trim();
    if (!sku) continue;
    const quantity = Number(row.quantity.trim() || "1");
    totals.set(sku, (totals.get(sku) ?? 0) + (Number.isInteger(quantity) ? quantity : 0));
  }
  return [...totals].map(([sku, quantity]) => ({ sku, quantity }));
}

export interface QueryErrorLike {
  message: string;
  extensions?: Record<string, unknown> | undefined;
}

/** A query's refusals as userErrors the form can place: the API names the argument in `extensions.field`
 * ("input.shipTo"); one question asking three fields of the same cart hears each refusal once. */
export function queryErrors(errors: readonly QueryErrorLike[]): UserErrorLike[] {
  const seen = new Map<string, UserErrorLike>();
  for (const error of errors) {
    const field = typeof error.extensions?.["field"] === "string" ? error.extensions["field"] : null;
    const code = typeof error.extensions?.["code"] === "string" ? error.extensions["code"] : "ERROR";
    seen.set(`${field ?? ""}|${error.message}`, {
      field: field ? field.split(".") : null,
      message: error.message,
      code,
    });
  }
  return [...seen.values()];
}
