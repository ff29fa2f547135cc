import { useState } from "react";
import { useParams } from "react-router-dom";
import { useMutation, useQuery, useSubscription } from "urql";
import type { Session } from "../auth/session";
import { mayActAt } from "../auth/session";
import { graphql } from "../gql";
import type { PickDeclineReason } from "../gql/graphql";
import { ErrorList, Field, StatusBadge } from "../ui/Field";
import { placeUserErrors, type PlacedErrors } from "../ui/userErrors";

const PickListQuery = graphql(`
  query StorePickList($code: String!) {
    pickList(locationCode: $code) {
      sku
      quantity
      shipments {
        id
        status
        kind
        order {
          id
        }
        lines {
          sku
          quantity
        }
      }
    }
  }
`);
const QueueChanged = graphql(`
  subscription StoreQueueChanged($code: String!) {
    fulfillmentQueueChanged(locationCode: $code) {
      id
      status
    }
  }
`);
const ConfirmPick = graphql(`
  mutation StoreConfirmPick($input: ConfirmPickInput!) {
    confirmPick(input: $input) {
      shipment {
        id
        status
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);
const ConfirmCollection = graphql(`
  mutation StoreConfirmCollection($input: ConfirmCollectionInput!) {
    confirmCollection(input: $input) {
      shipment {
        id
        status
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

const DECLINE_REASONS: readonly PickDeclineReason[] = ["NOT_FOUND", "DAMAGED", "OTHER"];

/** The store screen for one location: its pick list, picks with decline reasons, the pickup counter. */
export function StorePage({ session }: { session: Session }) {
  const { code = "" } = useParams();
  if (!mayActAt(session, code)) {
    return (
      <p role="alert">
        Your token does not cover location {code}: an operator works only at{" "}
        {session.locations.join(", ") || "none"}.
      </p>
    );
  }
  return <Store code={code} />;
}

function Store({ code }: { code: string }) {
  const [{ data, error, fetching }, refetch] = useQuery({ query: PickListQuery, variables: { code } });
  // The queue changed (a new shipment, a pick elsewhere): read the pick list again.
  const [live] = useSubscription({ query: QueueChanged, variables: { code } }, (count: number = 0) => {
    refetch({ requestPolicy: "network-only" });
    return count + 1;
  });
  const shipments = new Map<string, NonNullable<typeof data>["pickList"][number]["shipments"][number]>();
  for (const line of data?.pickList ?? []) for (const s of line.shipments) shipments.set(s.id, s);

  return (
    <section aria-labelledby="store-title">
      <h1 id="store-title">Store {code}</h1>
      <p className="muted" aria-live="polite">
        {live.error ? `Live updates unavailable: ${live.error.message}` : `Live: ${live.data ?? 0} updates`}
        {fetching ? " · loading" : ""}
      </p>
      {error && <ErrorList messages={[error.message]} />}
      <h2>Pick list</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">SKU</th>
            <th scope="col">Units</th>
            <th scope="col">Shipments</th>
          </tr>
        </thead>
        <tbody>
          {(data?.pickList ?? []).map((l) => (
            <tr key={l.sku}>
              <th scope="row">{l.sku}</th>
              <td>{l.quantity}</td>
              <td>{l.shipments.map((s) => s.id).join(", ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {[...shipments.values()].map((s) => (
        <PickForm key={s.id} shipment={s} />
      ))}
      <PickupCounter />
    </section>
  );
}

interface PickShipment {
  id: string;
  status: string;
  order: { id: string };
  lines: { sku: string; quantity: number }[];
}

function PickForm({ shipment }: { shipment: PickShipment }) {
  const [picked, setPicked] = useState<Record<string, number>>(() =>
    Object.fromEntries(shipment.lines.map((l) => [l.sku, l.quantity])),
  );
  const [reasons, setReasons] = useState<Record<string, PickDeclineReason>>({});
  const [errors, setErrors] = useState<PlacedErrors>({ byField: {}, general: [] });
  const [state, run] = useMutation(ConfirmPick);
  const fields = shipment.lines.flatMap((_, i) => [`lines.${i}.picked`, `lines.${i}.reason`]);

  const submit = async () => {
    const lines = shipment.lines.map((l) => {
      const count = picked[l.sku] ?? l.quantity;
      return {
        sku: l.sku,
        picked: count,
        reason: count < l.quantity ? (reasons[l.sku] ?? "NOT_FOUND") : null,
      };
    });
    const r = await run({ input: { shipmentId: shipment.id, lines } });
    if (r.data) setErrors(placeUserErrors(r.data.confirmPick.userErrors, fields));
    else if (r.error) setErrors({ byField: {}, general: [r.error.message] });
  };

  return (
    <form className="card" aria-label={`Pick ${shipment.id}`} onSubmit={(e) => e.preventDefault()}>
      <p>
        <strong>{shipment.id}</strong> <StatusBadge status={shipment.status} /> for order {shipment.order.id}
      </p>
      {shipment.lines.map((l, i) => (
        <div className="toolbar" key={l.sku}>
          <Field label={`${l.sku} picked (of ${l.quantity})`} errors={errors.byField[`lines.${i}.picked`]}>
            {(props) => (
              <input
                {...props}
                type="number"
                min={0}
                max={l.quantity}
                value={picked[l.sku] ?? l.quantity}
                onChange={(e) => setPicked({ ...picked, [l.sku]: Number(e.target.value) })}
              />
            )}
          </Field>
          {(picked[l.sku] ?? l.quantity) < l.quantity && (
            <Field label={`${l.sku} decline reason`} errors={errors.byField[`lines.${i}.reason`]}>
              {(props) => (
                <select
                  {...props}
                  value={reasons[l.sku] ?? "NOT_FOUND"}
                  onChange={(e) => {
                    const reason = DECLINE_REASONS.find((r) => r === e.target.value);
                    if (reason) setReasons({ ...reasons, [l.sku]: reason });
                  }}
                >
                  {DECLINE_REASONS.map((r) => (
                    <option key={r} value={r}>
                      {r.replace(/_/g, " ").toLowerCase()}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
        </div>
      ))}
      <button type="button" disabled={state.fetching} onClick={() => void submit()}>
        Confirm pick of {shipment.id}
      </button>
      <ErrorList messages={errors.general} />
    </form>
  );
}

function PickupCounter() {
  const [shipmentId, setShipmentId] = useState("");
  const [code, setCode] = useState("");
  const [errors, setErrors] = useState<PlacedErrors>({ byField: {}, general: [] });
  const [done, setDone] = useState<string | null>(null);
  const [state, run] = useMutation(ConfirmCollection);

  const submit = async () => {
    setDone(null);
    const r = await run({ input: { shipmentId: shipmentId.trim(), pickupCode: code.trim() } });
    if (r.data) {
      const { userErrors, shipment } = r.data.confirmCollection;
      setErrors(placeUserErrors(userErrors, ["shipmentId", "pickupCode"]));
      if (userErrors.length === 0 && shipment) setDone(`${shipment.id} collected`);
    } else if (r.error) setErrors({ byField: {}, general: [r.error.message] });
  };

  return (
    <form
      className="card"
      aria-label="Pickup counter"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2>Pickup counter</h2>
      <div className="toolbar">
        <Field label="Shipment" errors={errors.byField["shipmentId"]}>
          {(props) => <input {...props} value={shipmentId} onChange={(e) => setShipmentId(e.target.value)} />}
        </Field>
        <Field label="Pickup code" errors={errors.byField["pickupCode"]}>
          {(props) => (
            <input {...props} inputMode="numeric" value={code} onChange={(e) => setCode(e.target.value)} />
          )}
        </Field>
        <button type="submit" disabled={state.fetching || !shipmentId || !code}>
          Confirm collection
        </button>
      </div>
      {done && <p role="status">{done}</p>}
      <ErrorList messages={errors.general} />
    </form>
  );
}
