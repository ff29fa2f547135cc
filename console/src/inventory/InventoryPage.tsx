import { useState, type FormEvent } from "react";
import { useNavigate, useParams } from "react-router-dom";
import { useMutation, useQuery, useSubscription } from "urql";
import { graphql } from "../gql";
import { useAsOf } from "../ui/asOf";
import { ErrorList, Field } from "../ui/Field";
import { formatDateTime } from "../ui/format";
import { useSettle } from "../ui/useSettle";
import { StockFigures, StockHeadings } from "../ui/StockFigures";

const SkuInventory = graphql(`
  query SkuInventory($sku: String!, $asOf: DateTime) {
    inventory(sku: $sku, asOf: $asOf) {
      sku
      onHand
      reserved
      available
      levels {
        sku
        onHand
        reserved
        safetyStock
        incoming
        available
        location {
          id
          code
          name
        }
      }
    }
  }
`);

const InventoryChanged = graphql(`
  subscription InventoryChanged($sku: String!) {
    inventoryChanged(sku: $sku) {
      sku
    }
  }
`);

const ReceiveStock = graphql(`
  mutation ReceiveStock($input: ReceiveStockInput!) {
    receiveStock(input: $input) {
      level {
        onHand
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

const AdjustStock = graphql(`
  mutation AdjustStock($input: AdjustStockInput!) {
    adjustStock(input: $input) {
      level {
        onHand
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export function InventoryPage() {
  const { sku = "" } = useParams();
  const [asOf] = useAsOf();
  const navigate = useNavigate();
  const [draft, setDraft] = useState(sku);
  const onFind = (e: FormEvent) => {
    e.preventDefault();
    const next = draft.trim();
    if (next)
      navigate({ pathname: `/inventory/${encodeURIComponent(next)}`, search: window.location.search });
  };
  return (
    <section aria-labelledby="inventory-title">
      <h1 id="inventory-title">Inventory{sku ? ` of ${sku}` : ""}</h1>
      <form className="toolbar" role="search" aria-label="Find inventory" onSubmit={onFind}>
        <Field label="SKU">
          {(props) => <input {...props} value={draft} onChange={(e) => setDraft(e.target.value)} />}
        </Field>
        <button type="submit">Show</button>
      </form>
      {sku && <SkuLevels key={`${sku}|${asOf ?? ""}`} sku={sku} asOf={asOf} />}
    </section>
  );
}

function SkuLevels({ sku, asOf }: { sku: string; asOf: string | null }) {
  const [{ data, fetching, error }, refetch] = useQuery({ query: SkuInventory, variables: { sku, asOf } });
  // Live: any change to the SKU anywhere refetches the levels (the past does not change, so it is not followed).
  useSubscription(
    { query: InventoryChanged, variables: { sku }, pause: asOf !== null },
    (count: number = 0) => {
      refetch({ requestPolicy: "network-only" });
      return count + 1;
    },
  );
  if (error) return <ErrorList messages={[error.message]} />;
  if (!data && fetching) return <p aria-busy="true">Loading {sku}…</p>;
  const inventory = data?.inventory;
  if (!inventory) return null;
  const reload = () => refetch({ requestPolicy: "network-only" });
  const safety = inventory.levels.reduce((sum, l) => sum + l.safetyStock, 0);
  const incoming = inventory.levels.reduce((sum, l) => sum + l.incoming, 0);

  return (
    <>
      <table>
        <caption>
          {sku} across the network{asOf ? ` as of ${formatDateTime(asOf)}` : ""}
        </caption>
        <thead>
          <tr>
            <th scope="col">Location</th>
            <StockHeadings />
          </tr>
        </thead>
        <tbody>
          {inventory.levels.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                No stock of {sku} at a location this token may see.
              </td>
            </tr>
          )}
          {inventory.levels.map((l) => (
            <tr key={l.location.id}>
              <th scope="row">
                {l.location.code} ({l.location.name})
              </th>
              <StockFigures level={l} />
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            <td>{inventory.onHand}</td>
            <td>{inventory.reserved}</td>
            <td>{safety}</td>
            <td>{incoming}</td>
            <td>{inventory.available}</td>
          </tr>
        </tfoot>
      </table>
      <div className="grid">
        <ReceiveForm sku={sku} past={asOf !== null} onDone={reload} />
        <AdjustForm sku={sku} past={asOf !== null} onDone={reload} />
      </div>
    </>
  );
}

function ReceiveForm({ sku, past, onDone }: { sku: string; past: boolean; onDone: () => void }) {
  const [location, setLocation] = useState("");
  const [quantity, setQuantity] = useState("");
  const [state, run] = useMutation(ReceiveStock);
  const [errors, settle] = useSettle(["locationCode", "quantity"], onDone);
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await run({ input: { locationCode: location.trim(), sku, quantity: Number(quantity) } });
    if (settle({ data: r.data?.receiveStock, error: r.error })) setQuantity("");
  };
  return (
    <form className="card" aria-label="Receive stock" onSubmit={(e) => void onSubmit(e)}>
      <h2>Receive stock</h2>
      <Field label="Receive at location" errors={errors.byField["locationCode"]}>
        {(props) => <input {...props} value={location} onChange={(e) => setLocation(e.target.value)} />}
      </Field>
      <Field label="Quantity received" errors={errors.byField["quantity"]}>
        {(props) => (
          <input {...props} type="number" value={quantity} onChange={(e) => setQuantity(e.target.value)} />
        )}
      </Field>
      <ErrorList messages={errors.general} />
      <button type="submit" disabled={past || state.fetching}>
        Receive
      </button>
    </form>
  );
}

function AdjustForm({ sku, past, onDone }: { sku: string; past: boolean; onDone: () => void }) {
  const [location, setLocation] = useState("");
  const [delta, setDelta] = useState("");
  const [reason, setReason] = useState("");
  const [state, run] = useMutation(AdjustStock);
  const [errors, settle] = useSettle(["locationCode", "delta", "reason"], onDone);
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const input = { locationCode: location.trim(), sku, delta: Number(delta), reason: reason.trim() };
    const r = await run({ input });
    if (settle({ data: r.data?.adjustStock, error: r.error })) {
      setDelta("");
      setReason("");
    }
  };
  return (
    <form className="card" aria-label="Adjust stock" onSubmit={(e) => void onSubmit(e)}>
      <h2>Adjust stock</h2>
      <Field label="Adjust at location" errors={errors.byField["locationCode"]}>
        {(props) => <input {...props} value={location} onChange={(e) => setLocation(e.target.value)} />}
      </Field>
      <Field label="Change in units (negative removes)" errors={errors.byField["delta"]}>
        {(props) => (
          <input {...props} type="number" value={delta} onChange={(e) => setDelta(e.target.value)} />
        )}
      </Field>
      <Field label="Adjustment reason" errors={errors.byField["reason"]}>
        {(props) => <input {...props} value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      <ErrorList messages={errors.general} />
      <button type="submit" disabled={past || state.fetching}>
        Adjust
      </button>
    </form>
  );
}
