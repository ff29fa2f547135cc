// How full a delivery window is, in words and a colour class: a window is "filling" once most of its slots are
// booked, so an operator sees at a glance where the day will run out. Pure, so it is unit-tested.

export type FillLevel = "closed" | "open" | "filling" | "full";

/** From this share of the capacity booked, a window reads as nearly full. */
export const FILLING_SHARE = 0.75;

export function fillLevel(taken: number, capacity: number): FillLevel {
  if (capacity <= 0) return "closed";
  if (taken >= capacity) return "full";
  // By share, not by slots left: a day of one-delivery windows would otherwise read as all nearly full.
  return taken / capacity >= FILLING_SHARE ? "filling" : "open";
}

const WORDS: Record<FillLevel, string> = {
  closed: "Closed",
  open: "Open",
  filling: "Nearly full",
  full: "Full",
};

export function fillWords(level: FillLevel): string {
  return WORDS[level];
}

/** "3 of 4 booked": the numbers behind the colour, for everyone (and for screen readers). */
export function fillText(taken: number, capacity: number): string {
  return `${fillWords(fillLevel(taken, capacity))}: ${taken} of ${capacity} booked`;
}

/** One line for the day: how many windows are full or nearly full. */
export function fillSummary(windows: readonly { taken: number; capacity: number }[]): string {
  const levels = windows.map((w) => fillLevel(w.taken, w.capacity));
  const count = (level: FillLevel) => levels.filter((l) => l === level).length;
  const plural = (n: number) => (n === 1 ? "window" : "windows");
  const full = count("full");
  const filling = count("filling");
  if (windows.length === 0) return "No delivery windows in this span.";
  return `${windows.length} ${plural(windows.length)}: ${full} full, ${filling} nearly full.`;
}
