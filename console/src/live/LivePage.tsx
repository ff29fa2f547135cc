import { useEffect } from "react";
import { useQuery, useSubscription } from "urql";
import type { Session } from "../auth/session";
import { graphql } from "../gql";
import { ErrorList } from "../ui/Field";
import { formatDateTime } from "../ui/format";
import { FlowChart, minuteLabel } from "./FlowChart";
import { addReport, KINDS, totals, type FlowMinute } from "./flow";

const OrderFlow = graphql(`
  subscription LiveOrderFlow {
    orderFlow {
      at
      placed
      allocated
      shipped
    }
  }
`);

const SystemStatusQuery = graphql(`
  query LiveSystemStatus {
    systemStatus {
      checkedAt
      projections {
        name
        position
        lagEvents
        stalled
        stalledReason
      }
      queues {
        name
        depth
      }
      jobs {
        outcome
        count
      }
      admission {
        refusing
        lagEvents
        queuedJobs
        inFlight
      }
    }
  }
`);

/** How often the system's state is read again (a poll: it changes continuously, not by events). */
export const STATUS_REFRESH_MS = 3000;

export function LivePage({ session }: { session: Session }) {
  if (session.role !== "admin") {
    return (
      <>
        <h1>Live</h1>
        <p role="alert">The live view of the network is for admins only.</p>
      </>
    );
  }
  return (
    <section aria-labelledby="live-title">
      <h1 id="live-title">Live</h1>
      <Flow />
      <SystemState />
    </section>
  );
}

function Flow() {
  const [{ data: minutes = [], error }] = useSubscription(
    { query: OrderFlow },
    (kept: FlowMinute[] = [], report) => addReport(kept, report.orderFlow),
  );
  const sum = totals(minutes);
  return (
    <>
      <h2>Orders per minute</h2>
      {error && <ErrorList messages={[`Live order flow unavailable: ${error.message}`]} />}
      <p className="muted" aria-live="polite">
        Since this screen opened: {KINDS.map((k) => `${sum[k]} ${k}`).join(", ")}
      </p>
      <div className="grid live-grid">
        <FlowChart minutes={minutes} />
        <table>
          <caption>Order flow (UTC)</caption>
          <thead>
            <tr>
              <th scope="col">Minute</th>
              <th scope="col">Placed</th>
              <th scope="col">Allocated</th>
              <th scope="col">Shipped</th>
            </tr>
          </thead>
          <tbody>
            {[...minutes].reverse().map((m) => (
              <tr key={m.start}>
                <th scope="row">{minuteLabel(m.start)}</th>
                <td>{m.placed}</td>
                <td>{m.allocated}</td>
                <td>{m.shipped}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function SystemState() {
  const [{ data, error }, refetch] = useQuery({ query: SystemStatusQuery, requestPolicy: "network-only" });
  useEffect(() => {
    const timer = window.setInterval(() => refetch({ requestPolicy: "network-only" }), STATUS_REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [refetch]);
  const status = data?.systemStatus;
  if (error && !status) return <ErrorList messages={[error.message]} />;
  if (!status) return <p aria-busy="true">Reading the system's state…</p>;
  const stalled = status.projections.filter((p) => p.stalled).length;
  const outcomes = new Map<string, number>();
  for (const j of status.jobs) outcomes.set(j.outcome, (outcomes.get(j.outcome) ?? 0) + j.count);
  const admission = status.admission;
  return (
    <>
      <p className="muted">
        Checked {formatDateTime(status.checkedAt)} (every {STATUS_REFRESH_MS / 1000} s)
      </p>
      {stalled > 0 && (
        <p role="alert" className="errors">
          {stalled === 1 ? "A reader has" : `${stalled} readers have`} stopped at an event it cannot read: see
          below.
        </p>
      )}
      <div className="grid live-grid">
        <table>
          <caption>Log readers</caption>
          <thead>
            <tr>
              <th scope="col">Reader</th>
              <th scope="col">Position</th>
              <th scope="col">Lag (events)</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {status.projections.map((p) => (
              <tr key={p.name} className={p.stalled ? "stalled" : undefined}>
                <th scope="row">{p.name}</th>
                <td>{p.position}</td>
                <td>{p.lagEvents}</td>
                <td>{p.stalled ? `Stalled: ${p.stalledReason ?? "no reason given"}` : "Reading"}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div>
          <table>
            <caption>Job queues</caption>
            <thead>
              <tr>
                <th scope="col">Queue</th>
                <th scope="col">Jobs waiting or running</th>
              </tr>
            </thead>
            <tbody>
              {status.queues.map((q) => (
                <tr key={q.name}>
                  <th scope="row">{q.name}</th>
                  <td>{q.depth ?? "unknown"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            Jobs done:{" "}
            {outcomes.size
              ? [...outcomes].map(([outcome, n]) => `${n} ${outcome}`).join(", ")
              : "none counted yet"}
          </p>
          {admission && (
            <p>
              Admission:{" "}
              {admission.refusing ? (
                <strong className="refusing">refusing new orders ({admission.refusing})</strong>
              ) : (
                "admitting new orders"
              )}{" "}
              (lag {admission.lagEvents} events, queued jobs {admission.queuedJobs}, requests in flight{" "}
              {admission.inFlight})
            </p>
          )}
        </div>
      </div>
    </>
  );
}
