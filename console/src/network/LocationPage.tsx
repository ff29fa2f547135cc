import { useState, type FormEvent } from "react";
import { Link, useParams } from "react-router-dom";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { ErrorList, Field, StatusBadge } from "../ui/Field";
import { formatDateTime, humanize } from "../ui/format";
import { StockFigures, StockHeadings } from "../ui/StockFigures";
import { placeUserErrors, type PlacedErrors } from "../ui/userErrors";
import { capacityText, NetworkLocations } from "./NetworkPage";

const UpdateLocation = graphql(`
  mutation UpdateLocation($input: UpdateLocationInput!) {
    updateLocation(input: $input) {
      location {
        ...LocationSettingsFields
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

const LocationStock = graphql(`
  query LocationStock($code: String!, $after: String) {
    stockLevels(locationCode: $code, first: 20, after: $after) {
      edges {
        cursor
        node {
          sku
          onHand
          reserved
          safetyStock
          incoming
          available
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const LocationQueue = graphql(`
  query LocationQueue($code: String!, $after: String) {
    fulfillmentQueue(locationCode: $code, first: 20, after: $after) {
      edges {
        cursor
        node {
          id
          status
          kind
          promisedDelivery
          lines {
            sku
            quantity
          }
          order {
            id
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const CAPABILITIES = ["SHIP", "PICKUP", "RETURNS"] as const;
type Capability = (typeof CAPABILITIES)[number];
const SETTINGS = [
  "name",
  "active",
  "capabilities",
  "dailyCapacity",
  "handlingCost",
  "pickSlaMinutes",
  "pickupHoldDays",
];
const NO_ERRORS: PlacedErrors = { byField: {}, general: [] };

export function LocationPage() {
  const { code = "" } = useParams();
  const [{ data, fetching, error }] = useQuery({ query: NetworkLocations });
  const location = data?.locations.find((l) => l.code === code);
  return (
    <article aria-labelledby="location-title">
      <p>
        <Link to="/network">← Network</Link>
      </p>
      <h1 id="location-title">Location {code}</h1>
      {error && <ErrorList messages={[error.message]} />}
      {!data && fetching && <p aria-busy="true">Loading {code}…</p>}
      {data && !location && <p role="alert">No location {code}.</p>}
      {location && (
        <>
          <p className="muted">
            {location.name} · {humanize(location.type)} · {location.latitude.toFixed(3)},{" "}
            {location.longitude.toFixed(3)} · capacity used today{" "}
            {capacityText(location.capacityUsedToday, location.dailyCapacity)}
          </p>
          <div className="grid">
            <SettingsForm key={location.id} location={location} />
            <QueuePanel code={code} />
          </div>
          <StockPanel code={code} />
        </>
      )}
    </article>
  );
}

interface Settings {
  code: string;
  name: string;
  active: boolean;
  capabilities: readonly Capability[];
  dailyCapacity?: number | null;
  handlingCost?: number | null;
  pickSlaMinutes?: number | null;
  pickupHoldDays?: number | null;
}

const shown = (n: number | null | undefined) => (n === null || n === undefined ? "" : String(n));
/** An emptied number field means "none" (unlimited, never); the API reads null so for the settings that have it. */
const number = (text: string) => (text.trim() === "" ? null : Number(text));

function SettingsForm({ location }: { location: Settings }) {
  const [name, setName] = useState(location.name);
  const [active, setActive] = useState(location.active);
  const [capabilities, setCapabilities] = useState<readonly Capability[]>(location.capabilities);
  const [dailyCapacity, setDailyCapacity] = useState(shown(location.dailyCapacity));
  const [handlingCost, setHandlingCost] = useState(shown(location.handlingCost));
  const [pickSla, setPickSla] = useState(shown(location.pickSlaMinutes));
  const [holdDays, setHoldDays] = useState(shown(location.pickupHoldDays));
  const [errors, setErrors] = useState<PlacedErrors>(NO_ERRORS);
  const [saved, setSaved] = useState<string | null>(null);
  const [state, run] = useMutation(UpdateLocation);

  const toggle = (c: Capability, on: boolean) =>
    setCapabilities((current) => (on ? [...current, c] : current.filter((x) => x !== c)));
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(null);
    const r = await run({
      input: {
        code: location.code,
        name,
        active,
        capabilities: [...capabilities],
        dailyCapacity: number(dailyCapacity),
        handlingCost: number(handlingCost),
        pickSlaMinutes: number(pickSla),
        pickupHoldDays: number(holdDays),
      },
    });
    const payload = r.data?.updateLocation;
    if (!payload) {
      setErrors({ byField: {}, general: [r.error?.message ?? "The API did not answer."] });
      return;
    }
    setErrors(placeUserErrors(payload.userErrors, SETTINGS));
    if (payload.userErrors.length === 0) setSaved(`Saved ${location.code}'s settings.`);
  };
  return (
    <form className="card" aria-label="Location settings" onSubmit={(e) => void onSubmit(e)}>
      <h2>Settings</h2>
      <Field label="Name" errors={errors.byField["name"]}>
        {(props) => <input {...props} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <label className="check">
        <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} /> Active
      </label>
      <fieldset aria-invalid={Boolean(errors.byField["capabilities"])}>
        <legend>Capabilities</legend>
        {CAPABILITIES.map((c) => (
          <label key={c} className="check">
            <input
              type="checkbox"
              checked={capabilities.includes(c)}
              onChange={(e) => toggle(c, e.target.checked)}
            />{" "}
            {humanize(c)}
          </label>
        ))}
        {errors.byField["capabilities"] && (
          <p className="field-error" role="alert">
            {errors.byField["capabilities"].join(" ")}
          </p>
        )}
      </fieldset>
      <Field label="Daily capacity (empty: unlimited)" errors={errors.byField["dailyCapacity"]}>
        {(props) => (
          <input
            {...props}
            type="number"
            value={dailyCapacity}
            onChange={(e) => setDailyCapacity(e.target.value)}
          />
        )}
      </Field>
      <Field label="Handling cost" errors={errors.byField["handlingCost"]}>
        {(props) => (
          <input
            {...props}
            type="number"
            step="0.01"
            value={handlingCost}
            onChange={(e) => setHandlingCost(e.target.value)}
          />
        )}
      </Field>
      <Field label="Pick SLA in minutes (empty: never)" errors={errors.byField["pickSlaMinutes"]}>
        {(props) => (
          <input {...props} type="number" value={pickSla} onChange={(e) => setPickSla(e.target.value)} />
        )}
      </Field>
      <Field label="Pickup hold in days" errors={errors.byField["pickupHoldDays"]}>
        {(props) => (
          <input {...props} type="number" value={holdDays} onChange={(e) => setHoldDays(e.target.value)} />
        )}
      </Field>
      <ErrorList messages={errors.general} />
      {saved && <p role="status">{saved}</p>}
      <button type="submit" disabled={state.fetching}>
        Save settings
      </button>
    </form>
  );
}

/** Keyset pages: the cursors that led to each page seen, so "Previous" goes back the way it came. */
function usePages() {
  const [trail, setTrail] = useState<(string | null)[]>([null]);
  const after = trail[trail.length - 1] ?? null;
  return {
    after,
    page: trail.length,
    next: (cursor: string) => setTrail((t) => [...t, cursor]),
    previous: () => setTrail((t) => (t.length > 1 ? t.slice(0, -1) : t)),
  };
}

function Pager({
  label,
  pages,
  hasNext,
  endCursor,
}: {
  label: string;
  pages: ReturnType<typeof usePages>;
  hasNext: boolean;
  endCursor: string | null | undefined;
}) {
  return (
    <nav className="toolbar" aria-label={`${label} pages`}>
      <button type="button" className="secondary" disabled={pages.page === 1} onClick={pages.previous}>
        Previous page
      </button>
      <span>Page {pages.page}</span>
      <button
        type="button"
        className="secondary"
        disabled={!hasNext || !endCursor}
        onClick={() => endCursor && pages.next(endCursor)}
      >
        Next page
      </button>
    </nav>
  );
}

function StockPanel({ code }: { code: string }) {
  const pages = usePages();
  const [{ data, error }] = useQuery({ query: LocationStock, variables: { code, after: pages.after } });
  const connection = data?.stockLevels;
  return (
    <section aria-labelledby="stock-title">
      <h2 id="stock-title">Stock at {code}</h2>
      {error && <ErrorList messages={[error.message]} />}
      {connection && (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">SKU</th>
                <StockHeadings />
              </tr>
            </thead>
            <tbody>
              {connection.edges.length === 0 && (
                <tr>
                  <td colSpan={6} className="muted">
                    No stock here.
                  </td>
                </tr>
              )}
              {connection.edges.map(({ node: s }) => (
                <tr key={s.sku}>
                  <th scope="row">
                    <Link to={`/inventory/${encodeURIComponent(s.sku)}`}>{s.sku}</Link>
                  </th>
                  <StockFigures level={s} />
                </tr>
              ))}
            </tbody>
          </table>
          <Pager
            label="Stock"
            pages={pages}
            hasNext={connection.pageInfo.hasNextPage}
            endCursor={connection.pageInfo.endCursor}
          />
        </>
      )}
    </section>
  );
}

function QueuePanel({ code }: { code: string }) {
  const pages = usePages();
  const [{ data, error }] = useQuery({ query: LocationQueue, variables: { code, after: pages.after } });
  const connection = data?.fulfillmentQueue;
  return (
    <section aria-labelledby="queue-title">
      <h2 id="queue-title">Queue at {code}</h2>
      {error && <ErrorList messages={[error.message]} />}
      {connection && (
        <>
          <ul aria-labelledby="queue-title" className="plain">
            {connection.edges.length === 0 && <li className="muted">Nothing to do.</li>}
            {connection.edges.map(({ node: s }) => (
              <li key={s.id}>
                <Link to={`/orders/${encodeURIComponent(s.order.id)}`}>{s.order.id}</Link>{" "}
                <StatusBadge status={s.status} /> {s.lines.map((l) => `${l.quantity}× ${l.sku}`).join(", ")}
                {s.kind === "PICKUP" ? " · for pickup" : ""}
                {s.promisedDelivery ? ` · promised ${formatDateTime(s.promisedDelivery)}` : ""}
              </li>
            ))}
          </ul>
          <Pager
            label="Queue"
            pages={pages}
            hasNext={connection.pageInfo.hasNextPage}
            endCursor={connection.pageInfo.endCursor}
          />
        </>
      )}
    </section>
  );
}
