// A profile's version history as the event log records it: each SourcingProfileDefined event on the profile's
// stream is one version (its stream version), with the reason in its data and who defined it in its metadata.

export interface HistoryRow {
  version: number;
  at: string;
  reason: string;
  who: string | null;
}

interface RecordLike {
  version: number;
  type: string;
  at: string;
  data: unknown;
  metadata: unknown;
}

function text(value: unknown, key: string): string | null {
  if (typeof value !== "object" || value === null) return null;
  const found = (value as Record<string, unknown>)[key];
  return typeof found === "string" && found.length > 0 ? found : null;
}

export function historyOf(records: readonly RecordLike[]): HistoryRow[] {
  return records
    .filter((record) => record.type === "SourcingProfileDefined")
    .map((record) => ({
      version: record.version,
      at: text(record.data, "defined_at") ?? text(record.data, "definedAt") ?? record.at,
      reason: text(record.data, "reason") ?? "",
      who: text(record.metadata, "actor"),
    }));
}
