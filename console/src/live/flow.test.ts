import { describe, expect, it } from "vitest";
import { addReport, totals, windowOf, WINDOW_MINUTES, type FlowMinute } from "./flow";

const report = (at: string, placed = 0, allocated = 0, shipped = 0) => ({ at, placed, allocated, shipped });
const minute = (iso: string) => Date.parse(iso);

describe("the order flow per minute", () => {
  it("adds the reports of one minute together, by the server's time", () => {
    let minutes: FlowMinute[] = [];
    minutes = addReport(minutes, report("2026-12-01T10:00:01Z", 2, 1));
    minutes = addReport(minutes, report("2026-12-01T10:00:59.900Z", 1, 2, 1));
    expect(minutes).toEqual([{ start: minute("2026-12-01T10:00:00Z"), placed: 3, allocated: 3, shipped: 1 }]);
  });

  it("starts a new minute, and keeps only the window", () => {
    let minutes: FlowMinute[] = [];
    for (let i = 0; i <= WINDOW_MINUTES; i++) {
      const at = new Date(minute("2026-12-01T10:00:30Z") + i * 60_000).toISOString();
      minutes = addReport(minutes, report(at, 1));
    }
    expect(minutes).toHaveLength(WINDOW_MINUTES);
    expect(minutes[0]?.start).toBe(minute("2026-12-01T10:01:00Z"));
    expect(totals(minutes)).toEqual({ placed: WINDOW_MINUTES, allocated: 0, shipped: 0 });
  });

  it("fills the quiet minutes with zeros", () => {
    let minutes: FlowMinute[] = [];
    minutes = addReport(minutes, report("2026-12-01T10:00:10Z", 1));
    minutes = addReport(minutes, report("2026-12-01T10:03:10Z", 0, 0, 4));
    expect(windowOf(minutes).map((m) => [m.placed, m.shipped])).toEqual([
      [1, 0],
      [0, 0],
      [0, 0],
      [0, 4],
    ]);
  });

  it("ignores a report without a readable time", () => {
    expect(addReport([], report("not a time", 5))).toEqual([]);
  });
});
