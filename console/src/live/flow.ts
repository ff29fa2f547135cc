// The order flow per minute, folded from `orderFlow`'s reports (one a second). Pure: the reports carry the
// server's time, so minutes are the server's and the browser's clock never shifts a count.

export interface FlowReport {
  at: string;
  placed: number;
  allocated: number;
  shipped: number;
}

export interface FlowMinute {
  /** The minute's start, in milliseconds since the epoch. */
  start: number;
  placed: number;
  allocated: number;
  shipped: number;
}

export const KINDS = ["placed", "allocated", "shipped"] as const;
export type FlowKind = (typeof KINDS)[number];

export const MINUTE = 60_000;
/** The minutes kept (and plotted): a quarter of an hour. */
export const WINDOW_MINUTES = 15;

/** `minutes` with one more report counted into its minute; a minute never seen before starts at zero, and only
 * the last WINDOW_MINUTES stay. Reports arrive in order, so a new minute is always the last. */
export function addReport(minutes: readonly FlowMinute[], report: FlowReport): FlowMinute[] {
  const at = Date.parse(report.at);
  if (Number.isNaN(at)) return [...minutes];
  const start = Math.floor(at / MINUTE) * MINUTE;
  const last = minutes[minutes.length - 1];
  const counted =
    last && last.start === start
      ? [...minutes.slice(0, -1), plus(last, report)]
      : [...minutes, plus({ start, placed: 0, allocated: 0, shipped: 0 }, report)];
  return counted.filter((m) => m.start > start - WINDOW_MINUTES * MINUTE);
}

function plus(minute: FlowMinute, report: FlowReport): FlowMinute {
  return {
    start: minute.start,
    placed: minute.placed + report.placed,
    allocated: minute.allocated + report.allocated,
    shipped: minute.shipped + report.shipped,
  };
}

/** Every minute of the window ending at the last one seen, the quiet ones as zeros (a line then drops to zero
 * instead of bridging the gap). */
export function windowOf(minutes: readonly FlowMinute[]): FlowMinute[] {
  const last = minutes[minutes.length - 1];
  if (!last) return [];
  const byStart = new Map(minutes.map((m) => [m.start, m]));
  const first = Math.max(minutes[0]?.start ?? last.start, last.start - (WINDOW_MINUTES - 1) * MINUTE);
  const all: FlowMinute[] = [];
  for (let start = first; start <= last.start; start += MINUTE) {
    all.push(byStart.get(start) ?? { start, placed: 0, allocated: 0, shipped: 0 });
  }
  return all;
}

/** The totals over the minutes kept. */
export function totals(minutes: readonly FlowMinute[]): Record<FlowKind, number> {
  const sum = { placed: 0, allocated: 0, shipped: 0 };
  for (const m of minutes) for (const kind of KINDS) sum[kind] += m[kind];
  return sum;
}
