// The audit log's filters as the URL holds them (`?stream=&type=&from=&before=`), so a filtered view can be linked
// to and survives a reload, and as the `events` query's variables. Pure.

export interface LogFilters {
  /** A stream id (`order-42`) or a category, the prefix before the first '-' (`order`). */
  stream: string;
  types: string[];
  /** UTC ISO instants: recorded at or after `from`, before `before`. */
  from: string | null;
  before: string | null;
}

export interface LogVariables {
  streamId: string | null;
  category: string | null;
  types: string[] | null;
  from: string | null;
  before: string | null;
}

function instant(raw: string | null): string | null {
  if (!raw) return null;
  const d = new Date(raw);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** "LocationCreated, StockReceived" (as typed) as a list of types, blanks dropped. */
export function parseTypes(raw: string): string[] {
  return raw
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");
}

export function readFilters(params: URLSearchParams): LogFilters {
  return {
    stream: (params.get("stream") ?? "").trim(),
    types: parseTypes(params.get("type") ?? ""),
    from: instant(params.get("from")),
    before: instant(params.get("before")),
  };
}

/** A stream id has a '-' after its category; without one, the text names a whole category. */
export function toVariables(filters: LogFilters): LogVariables {
  const { stream } = filters;
  return {
    streamId: stream.includes("-") ? stream : null,
    category: stream && !stream.includes("-") ? stream : null,
    types: filters.types.length > 0 ? filters.types : null,
    from: filters.from,
    before: filters.before,
  };
}
