// How values read on screen. Pure: `now` is passed in.

export interface MoneyLike {
  amount: string;
  currency: string;
}

export function formatMoney(money: MoneyLike | null | undefined, locale = "en-US"): string {
  if (!money) return "—";
  const value = Number(money.amount);
  if (!Number.isFinite(value)) return `${money.amount} ${money.currency}`;
  try {
    return new Intl.NumberFormat(locale, { style: "currency", currency: money.currency }).format(value);
  } catch {
    return `${money.amount} ${money.currency}`;
  }
}

export function formatDateTime(iso: string | null | undefined, locale = "en-US", timeZone = "UTC"): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, {
    year: "numeric",
    month: "short",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hour12: false,
    timeZone,
  }).format(date);
}

/** "in 2 days", "3 hours ago": how far an ETA or an event is from now. */
export function formatRelative(iso: string | null | undefined, now: Date): string {
  if (!iso) return "—";
  const at = new Date(iso).getTime();
  if (Number.isNaN(at)) return iso;
  const seconds = Math.round((at - now.getTime()) / 1000);
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ["day", 86400],
    ["hour", 3600],
    ["minute", 60],
  ];
  const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return rtf.format(Math.round(seconds / size), unit);
  }
  return rtf.format(seconds, "second");
}

/** "ORDER_PLACED", "OrderPlaced", "IN_FULFILLMENT" → "Order placed", "In fulfillment". */
export function humanize(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/_/g, " ")
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A history entry's payload in one line: its scalar fields, `key: value`, the noisy ids left out. */
export function summarizeEventData(data: unknown, limit = 6): string {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return "";
  const parts: string[] = [];
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    if (key === "order_id" || key === "orderId") continue;
    if (value === null || value === undefined) continue;
    if (typeof value === "object") {
      const count = Array.isArray(value) ? value.length : Object.keys(value).length;
      parts.push(`${key}: ${count} ${Array.isArray(value) ? "items" : "fields"}`);
    } else {
      parts.push(`${key}: ${String(value)}`);
    }
    if (parts.length >= limit) break;
  }
  return parts.join(", ");
}
