// The cart customer service types in: rows of SKU and quantity, as text until asked. Pure.

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
