import { Link, useParams } from "react-router-dom";
import { useQuery } from "urql";
import { graphql } from "../gql";
import { DecisionMap } from "../map/DecisionMap";
import { happenedBy, useAsOf } from "../ui/asOf";
import { ErrorList, StatusBadge } from "../ui/Field";
import { formatDateTime, formatMoney, formatRelative, humanize, summarizeEventData } from "../ui/format";
import { OrderActions } from "./OrderActions";

const OrderDetail = graphql(`
  query OrderDetail($id: ID!, $asOf: DateTime) {
    order(id: $id, asOf: $asOf) {
      id
      status
      customerId
      placedAt
      serviceLevel
      deliveryMethod
      channel
      version
      total {
        amount
        currency
      }
      refunded {
        amount
        currency
      }
      lines {
        sku
        quantity
        allocated
        backordered
        shipped
        delivered
        cancelled
        returned
      }
      shipments {
        id
        status
        kind
        carrier
        trackingNumber
        promisedDelivery
        estimatedDelivery
        location {
          id
          code
          name
        }
        lines {
          sku
          quantity
        }
        tracking {
          status
          occurredAt
          message
        }
      }
      history {
        position
        type
        at
        actor
        data
      }
      sourcingDecisions {
        algorithm
        trigger
        decidedAt
        totalCost
        profileVersion
        candidates {
          selected
          reason
          cost
          location {
            id
            code
            name
            type
            latitude
            longitude
          }
        }
      }
      shipTo {
        latitude
        longitude
        postalCode
      }
    }
  }
`);

export function OrderPage() {
  const { id = "" } = useParams();
  const [asOf] = useAsOf();
  const [{ data, fetching, error }] = useQuery({ query: OrderDetail, variables: { id, asOf } });
  const now = new Date();
  if (error) return <ErrorList messages={[error.message]} />;
  if (!data && fetching) return <p aria-busy="true">Loading order {id}…</p>;
  const order = data?.order;
  if (!order) return <p role="alert">No order {id} (or not one this token may see).</p>;
  const decisions = order.sourcingDecisions.filter((d) => happenedBy(d.decidedAt, asOf));
  const history = order.history.filter((h) => happenedBy(h.at, asOf));

  return (
    <article aria-labelledby="order-title">
      <p>
        <Link to={asOf ? `/orders?asOf=${encodeURIComponent(asOf)}` : "/orders"}>← Orders</Link>
      </p>
      <h1 id="order-title">
        {order.id} <StatusBadge status={order.status} />
      </h1>
      <p className="muted">
        Customer {order.customerId} · placed {formatDateTime(order.placedAt)} · {humanize(order.serviceLevel)}{" "}
        · {humanize(order.deliveryMethod)} · {order.channel} · total {formatMoney(order.total)}
        {order.refunded && Number(order.refunded.amount) > 0
          ? ` · refunded ${formatMoney(order.refunded)}`
          : ""}
      </p>
      <OrderActions orderId={order.id} status={order.status} past={asOf !== null} />

      <div className="grid">
        <section aria-labelledby="lines-title">
          <h2 id="lines-title">Lines</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">SKU</th>
                <th scope="col">Ordered</th>
                <th scope="col">Allocated</th>
                <th scope="col">Backordered</th>
                <th scope="col">Shipped</th>
                <th scope="col">Delivered</th>
                <th scope="col">Cancelled</th>
                <th scope="col">Returned</th>
              </tr>
            </thead>
            <tbody>
              {order.lines.map((l) => (
                <tr key={l.sku}>
                  <th scope="row">{l.sku}</th>
                  <td>{l.quantity}</td>
                  <td>{l.allocated}</td>
                  <td>{l.backordered}</td>
                  <td>{l.shipped}</td>
                  <td>{l.delivered}</td>
                  <td>{l.cancelled}</td>
                  <td>{l.returned}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>

        <section aria-labelledby="shipments-title">
          <h2 id="shipments-title">Shipments</h2>
          {order.shipments.length === 0 && <p className="muted">None yet.</p>}
          {order.shipments.map((s) => (
            <div className="card" key={s.id}>
              <p>
                <strong>{s.id}</strong> <StatusBadge status={s.status} /> from {s.location.code} (
                {s.location.name}){s.kind === "PICKUP" ? " · for pickup" : ""}
              </p>
              <p>{s.lines.map((l) => `${l.quantity}× ${l.sku}`).join(", ")}</p>
              <p className="muted">
                {s.carrier ? `${s.carrier} ${s.trackingNumber ?? ""}` : "Not handed to a carrier yet"} ·
                promised {formatDateTime(s.promisedDelivery)} · ETA {formatDateTime(s.estimatedDelivery)}
                {s.estimatedDelivery ? ` (${formatRelative(s.estimatedDelivery, now)})` : ""}
              </p>
              {s.tracking.length > 0 && (
                <ul aria-label={`Tracking of ${s.id}`}>
                  {s.tracking.map((t) => (
                    <li key={`${t.occurredAt}-${t.status}`}>
                      {formatDateTime(t.occurredAt)}: {humanize(t.status)}
                      {t.message ? `, ${t.message}` : ""}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          ))}
        </section>
      </div>

      <section aria-labelledby="sourcing-title">
        <h2 id="sourcing-title">Sourcing decisions</h2>
        {decisions.length === 0 && <p className="muted">Not sourced yet.</p>}
        <DecisionMap
          decisions={decisions}
          shipTo={{ ...order.shipTo, label: order.shipTo.postalCode ?? "(coordinates)" }}
        />
        {decisions.map((d, i) => (
          <table key={`${d.decidedAt}-${i}`}>
            <caption>
              Decision {i + 1}: {humanize(d.trigger)} at {formatDateTime(d.decidedAt)} by {d.algorithm}{" "}
              (profile v{d.profileVersion}), total cost {d.totalCost.toFixed(2)}
            </caption>
            <thead>
              <tr>
                <th scope="col">Location</th>
                <th scope="col">Chosen</th>
                <th scope="col">Cost</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {d.candidates.map((c) => (
                <tr key={c.location.id} className={c.selected ? "" : "rejected"}>
                  <th scope="row">
                    {c.location.code} ({c.location.name})
                  </th>
                  <td>{c.selected ? "chosen" : "rejected"}</td>
                  <td>{c.cost === null || c.cost === undefined ? "—" : c.cost.toFixed(2)}</td>
                  <td>{c.reason ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      </section>

      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">Timeline</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">What</th>
              <th scope="col">Who</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {history.map((h) => (
              <tr key={h.position}>
                <td>{formatDateTime(h.at)}</td>
                <td>{humanize(h.type)}</td>
                <td>{h.actor ?? "system"}</td>
                <td className="muted">{summarizeEventData(h.data)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </article>
  );
}
