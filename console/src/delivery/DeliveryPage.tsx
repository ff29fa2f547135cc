import { useState, type FormEvent } from "react";
import { useNavigate, useParams } from "react-router-dom";
import { useMutation, useQuery } from "urql";
import { mayActAt, type Session } from "../auth/session";
import { graphql } from "../gql";
import { useAsOf } from "../ui/asOf";
import { ErrorList, Field } from "../ui/Field";
import { formatDateTime } from "../ui/format";
import { useSettle } from "../ui/useSettle";
import { fillLevel, fillSummary, fillText } from "./fill";
import { dayIn, nextDay, startOfDay, windowTimes } from "./zonedDay";

const DeliverySlots = graphql(`
  query DeliverySlots(
    $code: String!
    $from: DateTime
    $to: DateTime
    $asOf: DateTime
    $first: Int
    $after: String
  ) {
    deliverySlots(locationCode: $code, from: $from, to: $to, asOf: $asOf, first: $first, after: $after) {
      locationCode
      timeZone
      deliveryCapacity {
        windowMinutes
        deliveriesPerWindow
        firstWindowStartsAt
        lastWindowEndsAt
      }
      edges {
        cursor
        node {
          start
          end
          taken
          capacity
          remaining
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const SetDeliveryCapacity = graphql(`
  mutation SetDeliveryCapacity($input: DeliveryCapacityInput!) {
    setDeliveryCapacity(input: $input) {
      location {
        id
        code
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

const PAGE_SIZE = 24; // an hourly day on one page
const CAPACITY_FIELDS = [
  "locationCode",
  "windowMinutes",
  "deliveriesPerWindow",
  "firstWindowStartsAt",
  "lastWindowEndsAt",
] as const;

/** A location's delivery windows for a day, how full each is, and (admins) their capacity. */
export function DeliveryPage({ session }: { session: Session }) {
  const { code = "" } = useParams();
  const [asOf] = useAsOf();
  const navigate = useNavigate();
  const [draft, setDraft] = useState(code || (session.locations[0] ?? ""));
  const onFind = (e: FormEvent) => {
    e.preventDefault();
    const next = draft.trim();
    if (next) navigate({ pathname: `/delivery/${encodeURIComponent(next)}`, search: window.location.search });
  };
  return (
    <section aria-labelledby="delivery-title">
      <h1 id="delivery-title">Delivery capacity{code ? ` at ${code}` : ""}</h1>
      <form className="toolbar" role="search" aria-label="Find delivery windows" onSubmit={onFind}>
        <Field label="Location">
          {(props) =>
            session.role === "operator" ? (
              <select {...props} value={draft} onChange={(e) => setDraft(e.target.value)}>
                {session.locations.map((l) => (
                  <option key={l}>{l}</option>
                ))}
              </select>
            ) : (
              <input {...props} value={draft} onChange={(e) => setDraft(e.target.value)} />
            )
          }
        </Field>
        <button type="submit">Show windows</button>
      </form>
      {code && !mayActAt(session, code) && (
        <p role="alert">
          Your token does not cover location {code}: an operator sees only{" "}
          {session.locations.join(", ") || "none"}.
        </p>
      )}
      {code && mayActAt(session, code) && (
        <Windows key={`${code}|${asOf ?? ""}`} code={code} asOf={asOf} admin={session.role === "admin"} />
      )}
    </section>
  );
}

interface Span {
  day: string;
  zone: string;
  from: string;
  to: string;
}

function Windows({ code, asOf, admin }: { code: string; asOf: string | null; admin: boolean }) {
  // No span: the API's default, the location's local day of now (or of the "as of" moment).
  const [span, setSpan] = useState<Span | null>(null);
  const [trail, setTrail] = useState<string[]>([]);
  const after = trail[trail.length - 1] ?? null;
  const [{ data, fetching, error }, refetch] = useQuery({
    query: DeliverySlots,
    variables: { code, asOf, first: PAGE_SIZE, after, from: span?.from ?? null, to: span?.to ?? null },
    requestPolicy: "cache-and-network",
  });
  const slots = data?.deliverySlots;
  // The zone the day is picked in: kept with the span, so the picker stays while a new day loads.
  const zone = span?.zone ?? slots?.timeZone;
  if (error) return <ErrorList messages={[error.message]} />;
  if (!zone) return <p aria-busy="true">Loading the windows of {code}…</p>;
  const day = span?.day ?? dayIn(asOf ?? new Date().toISOString(), zone);
  const pickDay = (value: string) => {
    setTrail([]);
    setSpan(
      value
        ? { day: value, zone, from: startOfDay(value, zone), to: startOfDay(nextDay(value), zone) }
        : null,
    );
  };
  const reload = () => refetch({ requestPolicy: "network-only" });
  const toolbar = (
    <div className="toolbar">
      <Field label="Day">
        {(props) => <input {...props} type="date" value={day} onChange={(e) => pickDay(e.target.value)} />}
      </Field>
      <button type="button" className="secondary" onClick={reload} disabled={fetching}>
        Refresh
      </button>
    </div>
  );
  if (!slots)
    return (
      <>
        {toolbar}
        <p aria-busy="true">
          Loading the windows of {code} on {day}…
        </p>
      </>
    );
  const windows = slots.edges.map((e) => e.node);

  return (
    <>
      {toolbar}
      <p role="status" className="muted">
        {fillSummary(windows)}
        {slots.deliveryCapacity
          ? ""
          : ` ${code} has no delivery capacity set: it delivers by service level only.`}
      </p>
      <table className="slots">
        <caption>
          Delivery windows at {code} on {day} ({zone} time){asOf ? ` as of ${formatDateTime(asOf)}` : ""}
        </caption>
        <thead>
          <tr>
            <th scope="col">Window</th>
            <th scope="col">Booked</th>
            <th scope="col">Capacity</th>
            <th scope="col">Remaining</th>
            <th scope="col">Fill</th>
          </tr>
        </thead>
        <tbody>
          {windows.map((w) => {
            const level = fillLevel(w.taken, w.capacity);
            const share = w.capacity > 0 ? Math.min(100, Math.round((100 * w.taken) / w.capacity)) : 0;
            return (
              <tr key={w.start} className={`fill-row-${level}`}>
                <th scope="row">{windowTimes(w.start, w.end, zone)}</th>
                <td>{w.taken}</td>
                <td>{w.capacity}</td>
                <td>{w.remaining}</td>
                <td>
                  <span className={`badge fill-${level}`}>{fillText(w.taken, w.capacity)}</span>
                  <span className="fill-bar" aria-hidden="true">
                    <span className={`fill-bar-value fill-${level}`} style={{ width: `${share}%` }} />
                  </span>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <nav className="toolbar" aria-label="Windows pages">
        <button
          type="button"
          className="secondary"
          disabled={trail.length === 0}
          onClick={() => setTrail(trail.slice(0, -1))}
        >
          Earlier windows
        </button>
        <button
          type="button"
          className="secondary"
          disabled={!slots.pageInfo.hasNextPage || !slots.pageInfo.endCursor}
          onClick={() => slots.pageInfo.endCursor && setTrail([...trail, slots.pageInfo.endCursor])}
        >
          Later windows
        </button>
      </nav>
      {admin ? (
        <CapacityForm
          code={code}
          current={slots.deliveryCapacity ?? null}
          past={asOf !== null}
          onSaved={reload}
        />
      ) : (
        <p className="muted">A location&apos;s delivery capacity is set by an admin.</p>
      )}
    </>
  );
}

interface Capacity {
  windowMinutes: number;
  deliveriesPerWindow: number;
  firstWindowStartsAt: string;
  lastWindowEndsAt: string;
}

const DEFAULT_CAPACITY: Capacity = {
  windowMinutes: 60,
  deliveriesPerWindow: 4,
  firstWindowStartsAt: "09:00",
  lastWindowEndsAt: "21:00",
};

function CapacityForm({
  code,
  current,
  past,
  onSaved,
}: {
  code: string;
  current: Capacity | null;
  past: boolean;
  onSaved: () => void;
}) {
  const start = current ?? DEFAULT_CAPACITY;
  const [minutes, setMinutes] = useState(String(start.windowMinutes));
  const [deliveries, setDeliveries] = useState(String(start.deliveriesPerWindow));
  const [first, setFirst] = useState(start.firstWindowStartsAt);
  const [last, setLast] = useState(start.lastWindowEndsAt);
  const [saved, setSaved] = useState(false);
  const [state, run] = useMutation(SetDeliveryCapacity);
  const [errors, settle] = useSettle(CAPACITY_FIELDS, onSaved);
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const input = {
      locationCode: code,
      windowMinutes: Number(minutes),
      deliveriesPerWindow: Number(deliveries),
      firstWindowStartsAt: first,
      lastWindowEndsAt: last,
    };
    const r = await run({ input });
    setSaved(settle({ data: r.data?.setDeliveryCapacity, error: r.error }));
  };
  return (
    <form className="card" aria-label="Delivery capacity" onSubmit={(e) => void onSubmit(e)}>
      <h2>Capacity of {code}</h2>
      <p className="muted">
        Local times of the location. Lowering the deliveries per window keeps the orders already booked.
      </p>
      <div className="toolbar">
        <Field label="Window length (minutes)" errors={errors.byField["windowMinutes"]}>
          {(props) => (
            <input {...props} type="number" value={minutes} onChange={(e) => setMinutes(e.target.value)} />
          )}
        </Field>
        <Field label="Deliveries per window" errors={errors.byField["deliveriesPerWindow"]}>
          {(props) => (
            <input
              {...props}
              type="number"
              value={deliveries}
              onChange={(e) => setDeliveries(e.target.value)}
            />
          )}
        </Field>
        <Field label="First window starts at" errors={errors.byField["firstWindowStartsAt"]}>
          {(props) => (
            <input {...props} type="time" value={first} onChange={(e) => setFirst(e.target.value)} />
          )}
        </Field>
        <Field label="Last window ends at" errors={errors.byField["lastWindowEndsAt"]}>
          {(props) => <input {...props} type="time" value={last} onChange={(e) => setLast(e.target.value)} />}
        </Field>
      </div>
      <ErrorList messages={[...(errors.byField["locationCode"] ?? []), ...errors.general]} />
      {saved && <p role="status">Capacity of {code} saved.</p>}
      <button type="submit" disabled={past || state.fetching}>
        Save capacity
      </button>
    </form>
  );
}
