// Colours of the map: stock heat (a sequential blue scale, light = little, dark = much) and how much of a
// location's daily capacity is taken. Pure, so the scale is unit-tested and the legend shows the same steps.

const LOW: readonly [number, number, number] = [0xde, 0xeb, 0xf7];
const HIGH: readonly [number, number, number] = [0x08, 0x30, 0x6b];
/** No stock at all: white (the marker's dark outline keeps it visible), so "none" never reads as "a little". */
export const NO_STOCK = "#ffffff";
/** No level at all for the SKU (never stocked there, or hidden from this token). */
export const UNKNOWN = "#bfc5cc";

const hex = (n: number) => Math.round(n).toString(16).padStart(2, "0");

/** The heat of `available` units where the most any location has is `max`: white at 0, then light to dark. */
export function heatColor(available: number | null | undefined, max: number): string {
  if (available === null || available === undefined) return UNKNOWN;
  if (available <= 0 || max <= 0) return NO_STOCK;
  const t = Math.min(1, available / max);
  return `#${LOW.map((low, i) => hex(low + ((HIGH[i] ?? low) - low) * t)).join("")}`;
}

/** The legend's steps for a maximum: 0, then a quarter, half, three quarters and all of it (whole units). */
export function heatSteps(max: number): { units: number; color: string }[] {
  if (max <= 0) return [{ units: 0, color: NO_STOCK }];
  const units = [0, ...[0.25, 0.5, 0.75, 1].map((f) => Math.max(1, Math.round(max * f)))];
  return [...new Set(units)].map((u) => ({ units: u, color: heatColor(u, max) }));
}

/** The share of a daily capacity used, 0 to 1 (more than planned still reads as full); null: unlimited. */
export function capacityShare(
  used: number | null | undefined,
  daily: number | null | undefined,
): number | null {
  if (daily === null || daily === undefined || used === null || used === undefined) return null;
  if (daily <= 0) return 1;
  return Math.min(1, Math.max(0, used / daily));
}
