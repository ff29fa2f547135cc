// "As of": one moment every screen that can rewind obeys, kept in the URL (`?asOf=`) so a past view can be
// shared and survives a reload. The input shows local time; the URL and the API hold UTC ISO-8601.
import { useSearchParams } from "react-router-dom";

const pad = (n: number) => String(n).padStart(2, "0");

/** An ISO instant as a `datetime-local` value (local time, to the second); "" when it does not parse. */
export function toLocalInput(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
    `T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}

/** A `datetime-local` value (local time) as a UTC ISO instant; null when empty or not a moment. */
export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** The URL's "as of", if it names a moment (null: now). */
export function parseAsOf(raw: string | null): string | null {
  if (!raw) return null;
  const d = new Date(raw);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export function useAsOf(): [string | null, (next: string | null) => void] {
  const [params, setParams] = useSearchParams();
  const asOf = parseAsOf(params.get("asOf"));
  const setAsOf = (next: string | null) =>
    setParams(
      (current) => {
        const updated = new URLSearchParams(current);
        if (next) updated.set("asOf", next);
        else updated.delete("asOf");
        return updated;
      },
      { replace: true },
    );
  return [asOf, setAsOf];
}

/** Whether something that happened at `at` had happened by `asOf` (always, when showing now). Parts of a past
 * record the API may return whole (an order's history, its sourcing decisions) are cut at the moment with it. */
export function happenedBy(at: string, asOf: string | null): boolean {
  return asOf === null || new Date(at).getTime() <= new Date(asOf).getTime();
}
