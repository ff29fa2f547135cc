import { useState, type FormEvent } from "react";
import { useQuery } from "urql";
import { graphql } from "../gql";
import type { PromiseQuery } from "../gql/graphql";
import { ErrorList, Field } from "../ui/Field";
import { formatDateTime, humanize } from "../ui/format";
import { placeUserErrors } from "../ui/userErrors";
import { cartLines, queryErrors, type CartLine, type CartRow } from "./cart";

// The three answers to "when can I get it?", asked together of the same cart and address.
const PromiseQueryDocument = graphql(`
  query Promise($input: FulfillmentOptionsInput!, $windows: DeliveryWindowsInput!) {
    fulfillmentOptions(input: $input) {
      serviceLevel
      promisedDelivery
      cost
      shipments
      available
    }
    deliveryWindows(input: $windows) {
      start
      end
      serviceLevel
      cost
      available
      remaining
    }
    alternatives(input: $input) {
      kind
      lines {
        sku
        quantity
        replaces
      }
      promisedDelivery
      pickupLocation {
        id
        code
        name
      }
      shipments
      cost
      explanation
    }
  }
`);

const SHOWN_WINDOWS = 12; // the first windows a customer can still have; the rest on request
const cost = (value: number) => value.toFixed(2);

interface Asked {
  lines: CartLine[];
  postalCode: string;
}

/** Customer service's promise screen: a cart and a postal code in, the options, windows and alternatives out. */
export function PromisePage() {
  const [rows, setRows] = useState<CartRow[]>([{ sku: "", quantity: "1" }]);
  const [postalCode, setPostalCode] = useState("");
  const [asked, setAsked] = useState<Asked | null>(null);
  const setRow = (index: number, change: Partial<CartRow>) =>
    setRows(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setAsked({ lines: cartLines(rows), postalCode: postalCode.trim() });
  };
  const [{ data, error, fetching }] = useQuery({
    query: PromiseQueryDocument,
    variables: {
      input: { lines: asked?.lines ?? [], shipTo: { postalCode: asked?.postalCode ?? "" } },
      windows: { lines: asked?.lines ?? [], shipTo: { postalCode: asked?.postalCode ?? "" } },
    },
    pause: asked === null,
    requestPolicy: "network-only", // a promise is only as good as the stock and slots of this moment
  });
  const errors = placeUserErrors(queryErrors(error?.graphQLErrors ?? []), ["shipTo", "lines"]);
  const general = error && error.graphQLErrors.length === 0 ? [error.message] : errors.general;

  return (
    <section aria-labelledby="promise-title">
      <h1 id="promise-title">Promise</h1>
      <p className="muted">When can a customer get it? Enter the cart and where it goes.</p>
      <form className="card" aria-label="Cart to promise" onSubmit={onSubmit}>
        <fieldset>
          <legend>Cart lines</legend>
          {rows.map((row, i) => (
            <div className="toolbar" key={i}>
              <Field label={`Line ${i + 1} SKU`}>
                {(props) => (
                  <input {...props} value={row.sku} onChange={(e) => setRow(i, { sku: e.target.value })} />
                )}
              </Field>
              <Field label={`Line ${i + 1} quantity`}>
                {(props) => (
                  <input
                    {...props}
                    type="number"
                    min={1}
                    value={row.quantity}
                    onChange={(e) => setRow(i, { quantity: e.target.value })}
                  />
                )}
              </Field>
              <button
                type="button"
                className="secondary"
                disabled={rows.length === 1}
                onClick={() => setRows(rows.filter((_, j) => j !== i))}
              >
                Remove line {i + 1}
              </button>
            </div>
          ))}
          <button
            type="button"
            className="secondary"
            onClick={() => setRows([...rows, { sku: "", quantity: "1" }])}
          >
            Add line
          </button>
          <ErrorList messages={errors.byField["lines"] ?? []} />
        </fieldset>
        <div className="toolbar">
          <Field label="Postal code" errors={errors.byField["shipTo"]}>
            {(props) => (
              <input {...props} value={postalCode} onChange={(e) => setPostalCode(e.target.value)} />
            )}
          </Field>
        </div>
        <ErrorList messages={general} />
        <button type="submit" disabled={fetching}>
          Check promise
        </button>
      </form>
      {fetching && <p aria-busy="true">Working out the promise…</p>}
      {data && !error && <Answers data={data} />}
    </section>
  );
}

function Answers({ data }: { data: PromiseQuery }) {
  const [allWindows, setAllWindows] = useState(false);
  const open = data.deliveryWindows.filter((w) => w.available);
  const windows = allWindows ? data.deliveryWindows : open.slice(0, SHOWN_WINDOWS);
  return (
    <div className="side-by-side">
      <section aria-labelledby="options-title" className="card">
        <h2 id="options-title">Fulfillment options</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">Service</th>
              <th scope="col">Delivered by</th>
              <th scope="col">Cost</th>
              <th scope="col">Shipments</th>
            </tr>
          </thead>
          <tbody>
            {data.fulfillmentOptions.length === 0 && (
              <tr>
                <td colSpan={4} className="muted">
                  No service level can promise this cart.
                </td>
              </tr>
            )}
            {data.fulfillmentOptions.map((o) => (
              <tr key={o.serviceLevel}>
                <th scope="row">
                  {humanize(o.serviceLevel)}
                  {o.available ? "" : " (not available)"}
                </th>
                <td>{formatDateTime(o.promisedDelivery)}</td>
                <td>{cost(o.cost)}</td>
                <td>{o.shipments}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="windows-title" className="card">
        <h2 id="windows-title">Delivery windows</h2>
        <p className="muted">
          {open.length} of {data.deliveryWindows.length} windows in the next 7 days can be promised (times in
          UTC).
        </p>
        <table>
          <thead>
            <tr>
              <th scope="col">Window</th>
              <th scope="col">Service</th>
              <th scope="col">Cost</th>
              <th scope="col">Slots left</th>
            </tr>
          </thead>
          <tbody>
            {windows.length === 0 && (
              <tr>
                <td colSpan={4} className="muted">
                  No window can be promised for this cart as it is; see the alternatives.
                </td>
              </tr>
            )}
            {windows.map((w) => (
              <tr key={`${w.start}|${w.serviceLevel}`}>
                <th scope="row">
                  {formatDateTime(w.start)} – {formatDateTime(w.end)}
                  {w.available ? "" : " (full or out of reach)"}
                </th>
                <td>{humanize(w.serviceLevel)}</td>
                <td>{cost(w.cost)}</td>
                <td>{w.remaining ?? "no limit"}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {data.deliveryWindows.length > windows.length && (
          <button type="button" className="secondary" onClick={() => setAllWindows(true)}>
            Show all {data.deliveryWindows.length} windows
          </button>
        )}
      </section>
      <section aria-labelledby="alternatives-title" className="card">
        <h2 id="alternatives-title">Alternatives</h2>
        {data.alternatives.length === 0 && (
          <p className="muted">None needed: the cart can be served in full, now, as asked.</p>
        )}
        <ul className="alternatives">
          {data.alternatives.map((a, i) => (
            <li key={`${a.kind}|${i}`} aria-label={humanize(a.kind)}>
              <h3>{humanize(a.kind)}</h3>
              <p>{a.explanation}</p>
              <p className="muted">
                {a.lines
                  .map((l) => `${l.quantity} × ${l.sku}${l.replaces ? ` (instead of ${l.replaces})` : ""}`)
                  .join(", ")}
                {a.promisedDelivery ? ` · by ${formatDateTime(a.promisedDelivery)}` : ""}
                {a.pickupLocation ? ` · pick up at ${a.pickupLocation.code} (${a.pickupLocation.name})` : ""}
                {` · ${a.shipments} shipment${a.shipments === 1 ? "" : "s"} · cost ${cost(a.cost)}`}
              </p>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
