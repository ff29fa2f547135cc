import { useEffect, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { useQuery, useSubscription } from "urql";
import { graphql } from "../gql";
import type { VerificationResultFragment } from "../gql/graphql";
import { fromLocalInput, toLocalInput } from "../ui/asOf";
import { ErrorList } from "../ui/Field";
import { formatDateTime } from "../ui/format";
import { Pager, useCursorTrail } from "../ui/Pager";
import "./audit.css";
import { readFilters, toVariables } from "./filters";

const PAGE_SIZE = 25;

/** The filter form's fields, by their URL parameter (filters.ts reads them back); a moment is typed in local time. */
const FILTER_FIELDS = [
  { name: "stream", label: "Stream or category", placeholder: "order-42 or order", moment: false },
  { name: "type", label: "Event types", placeholder: "OrderPlaced, OrderAllocated", moment: false },
  { name: "from", label: "Recorded from", placeholder: undefined, moment: true },
  { name: "before", label: "Recorded before", placeholder: undefined, moment: true },
] as const;
type FilterName = (typeof FILTER_FIELDS)[number]["name"];

const AuditLog = graphql(`
  query AuditLog(
    $first: Int!
    $after: String
    $streamId: String
    $category: String
    $types: [String!]
    $from: DateTime
    $before: DateTime
  ) {
    events(
      first: $first
      after: $after
      streamId: $streamId
      category: $category
      types: $types
      recordedFrom: $from
      recordedBefore: $before
    ) {
      edges {
        cursor
        node {
          position
          streamId
          version
          type
          at
          data
          metadata
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const LastVerification = graphql(`
  query LastVerification {
    lastVerification {
      ...VerificationResult
    }
  }
`);

const VerifyLog = graphql(`
  subscription VerifyLog {
    verifyLog {
      eventsChecked
      eventsTotal
      throughStream
      result {
        ...VerificationResult
      }
    }
  }
`);

/** The event log, filtered and paged with the API's cursors (all in the URL, so a view can be linked to and Back
 * works), and the log's verification: run it here, watch it go, read the last result. Admins only. */
export function AuditPage() {
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit</h1>
      <VerificationPanel />
      <EventLog />
    </section>
  );
}

function EventLog() {
  const [params, setParams] = useSearchParams();
  const filters = readFilters(params);
  const { after, trail, turn } = useCursorTrail();
  const [{ data, fetching, error }] = useQuery({
    query: AuditLog,
    variables: { first: PAGE_SIZE, after, ...toVariables(filters) },
    requestPolicy: "cache-and-network",
  });

  const shown: Record<FilterName, string> = {
    stream: filters.stream,
    type: filters.types.join(", "),
    from: toLocalInput(filters.from),
    before: toLocalInput(filters.before),
  };
  const onFilter = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const next = new URLSearchParams(params);
    next.delete("after");
    for (const { name, moment } of FILTER_FIELDS) {
      const text = String(form.get(name) ?? "").trim();
      const value = moment ? fromLocalInput(text) : text;
      if (value) next.set(name, value);
      else next.delete(name);
    }
    setParams(next);
  };
  const edges = data?.events.edges ?? [];
  return (
    <section aria-labelledby="log-title">
      <h2 id="log-title">Event log</h2>
      {/* Keyed by the URL's filters: Back and links reset the inputs to what is shown. */}
      <form className="toolbar" onSubmit={onFilter} aria-label="Filter the log" key={params.toString()}>
        {FILTER_FIELDS.map(({ name, label, placeholder, moment }) => (
          <div className="field" key={name}>
            <label htmlFor={`log-${name}`}>{label}</label>
            <input
              id={`log-${name}`}
              name={name}
              placeholder={placeholder}
              defaultValue={shown[name]}
              {...(moment ? { type: "datetime-local", step: 1 } : {})}
            />
          </div>
        ))}
        <button type="submit">Filter</button>
        <Link to="/audit">Clear filters</Link>
      </form>
      {error && <ErrorList messages={[error.message]} />}
      <table aria-busy={fetching}>
        <caption>
          Events, oldest first: page {trail.length + 1}
          {fetching ? " (loading)" : ""}
        </caption>
        <thead>
          <tr>
            <th scope="col">Position</th>
            <th scope="col">Recorded</th>
            <th scope="col">Stream</th>
            <th scope="col">Version</th>
            <th scope="col">Type</th>
            <th scope="col">Payload</th>
          </tr>
        </thead>
        <tbody>
          {edges.map(({ node }) => (
            <tr key={node.position}>
              <td>{node.position}</td>
              <td>{formatDateTime(node.at)}</td>
              <td>
                <Link to={`/audit?stream=${encodeURIComponent(node.streamId)}`}>{node.streamId}</Link>
              </td>
              <td>{node.version}</td>
              <td>{node.type}</td>
              <td>
                <details>
                  <summary aria-label={`Payload of ${node.streamId} version ${node.version}`}>
                    Payload
                  </summary>
                  <pre className="audit-payload">
                    {JSON.stringify({ data: node.data, metadata: node.metadata }, null, 2)}
                  </pre>
                </details>
              </td>
            </tr>
          ))}
          {!fetching && edges.length === 0 && (
            <tr>
              <td colSpan={6}>No events match.</td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager trail={trail} pageInfo={data?.events.pageInfo} turn={turn} />
    </section>
  );
}

function VerificationPanel() {
  const [running, setRunning] = useState(false);
  const [last, refetchLast] = useQuery({ query: LastVerification, requestPolicy: "network-only" });
  const [{ data: step, error }] = useSubscription({ query: VerifyLog, pause: !running });
  const progress = running ? step?.verifyLog : undefined;
  const finished = progress?.result != null;

  useEffect(() => {
    if (!running || !(finished || error)) return;
    setRunning(false);
    refetchLast({ requestPolicy: "network-only" });
  }, [running, finished, error, refetchLast]);

  const result = last.data?.lastVerification;
  return (
    <section aria-labelledby="verify-title" className="audit-panel">
      <h2 id="verify-title">Verification</h2>
      <p>
        Recomputes every stream&apos;s hash chain, as <code>meridian verify</code> does, and records the
        result in the log.
      </p>
      <button type="button" disabled={running} onClick={() => setRunning(true)}>
        {running ? "Verifying…" : "Verify the log"}
      </button>
      {running && (
        <div role="status">
          <label htmlFor="verify-progress">Verification progress</label>{" "}
          <progress
            id="verify-progress"
            value={progress?.eventsChecked ?? 0}
            max={progress?.eventsTotal || 1}
          />{" "}
          {progress
            ? `Checked ${progress.eventsChecked} of ${progress.eventsTotal} events` +
              (progress.throughStream ? ` (at stream ${progress.throughStream})` : "")
            : "Starting…"}
        </div>
      )}
      {error && <ErrorList messages={[error.message]} />}
      {last.error && <ErrorList messages={[last.error.message]} />}
      <VerificationOutcome result={result ?? null} fetching={last.fetching} />
    </section>
  );
}

function VerificationOutcome({
  result,
  fetching,
}: {
  result: VerificationResultFragment | null;
  fetching: boolean;
}) {
  if (!result)
    return (
      <p aria-live="polite">{fetching ? "Loading the last result…" : "The log has never been verified."}</p>
    );
  return (
    <div aria-live="polite" className={result.intact ? undefined : "audit-broken"}>
      <p>
        <strong>{result.intact ? "Intact" : "Broken"}</strong>: last verified{" "}
        {formatDateTime(result.finishedAt)}
        {result.verifiedBy ? ` by ${result.verifiedBy}` : ""}, {result.eventsChecked} events in{" "}
        {result.streamsChecked} streams checked
        {result.intact ? "." : `; ${result.brokenStreams} streams broken.`}
      </p>
      {!result.intact && (
        <table>
          <caption>The first broken event of each stream</caption>
          <thead>
            <tr>
              <th scope="col">Stream</th>
              <th scope="col">Version</th>
              <th scope="col">Position</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {result.broken.map((b) => (
              <tr key={b.streamId}>
                <td>
                  <Link to={`/audit?stream=${encodeURIComponent(b.streamId)}`}>{b.streamId}</Link>
                </td>
                <td>{b.version}</td>
                <td>{b.globalPosition ?? "—"}</td>
                <td>{b.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
