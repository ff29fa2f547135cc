import { Link, useSearchParams } from "react-router-dom";
import { useQuery } from "urql";
import { graphql } from "../gql";
import type { OrderStatus } from "../gql/graphql";
import { ErrorList, StatusBadge } from "../ui/Field";
import { formatDateTime, formatMoney, humanize } from "../ui/format";
import { Pager, useCursorTrail } from "../ui/Pager";
import { ORDER_STATUSES, PAGE_SIZE, parseStatus } from "./statuses";

const OrdersList = graphql(`
  query OrdersList($first: Int!, $after: String, $status: OrderStatus, $customerId: String) {
    orders(first: $first, after: $after, status: $status, customerId: $customerId) {
      edges {
        cursor
        node {
          id
          status
          customerId
          placedAt
          serviceLevel
          deliveryMethod
          total {
            amount
            currency
          }
          lines {
            sku
            quantity
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

/** Orders by placement time, filtered, a page at a time with the API's cursors. The filter and the cursor trail
 * live in the URL, so a page can be linked to and Back works. */
export function OrdersPage() {
  const [params, setParams] = useSearchParams();
  const status: OrderStatus | null = parseStatus(params.get("status"));
  const customerId = params.get("customer") || null;
  const { after, trail, turn } = useCursorTrail();
  const [{ data, fetching, error }] = useQuery({
    query: OrdersList,
    variables: { first: PAGE_SIZE, after, status, customerId },
    // Shown at once from the cache, then refreshed: statuses move while the list is away.
    requestPolicy: "cache-and-network",
  });

  const setFilter = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    next.delete("after");
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next);
  };
  const edges = data?.orders.edges ?? [];
  return (
    <section aria-labelledby="orders-title">
      <h1 id="orders-title">Orders</h1>
      <div className="toolbar">
        <div className="field">
          <label htmlFor="status-filter">Status</label>
          <select
            id="status-filter"
            value={status ?? ""}
            onChange={(e) => setFilter("status", e.target.value)}
          >
            <option value="">Any status</option>
            {ORDER_STATUSES.map((s) => (
              <option key={s} value={s}>
                {humanize(s)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="customer-filter">Customer</label>
          <input
            id="customer-filter"
            defaultValue={customerId ?? ""}
            onKeyDown={(e) => e.key === "Enter" && setFilter("customer", e.currentTarget.value.trim())}
            onBlur={(e) => setFilter("customer", e.currentTarget.value.trim())}
          />
        </div>
      </div>
      {error && <ErrorList messages={[error.message]} />}
      <table aria-busy={fetching}>
        <caption>
          Page {trail.length + 1}
          {fetching ? " (loading)" : ""}
        </caption>
        <thead>
          <tr>
            <th scope="col">Order</th>
            <th scope="col">Status</th>
            <th scope="col">Customer</th>
            <th scope="col">Placed</th>
            <th scope="col">Lines</th>
            <th scope="col">Total</th>
          </tr>
        </thead>
        <tbody>
          {edges.map(({ node }) => (
            <tr key={node.id}>
              <td>
                <Link to={`/orders/${encodeURIComponent(node.id)}`}>{node.id}</Link>
              </td>
              <td>
                <StatusBadge status={node.status} />
              </td>
              <td>{node.customerId}</td>
              <td>{formatDateTime(node.placedAt)}</td>
              <td>{node.lines.map((l) => `${l.quantity}× ${l.sku}`).join(", ")}</td>
              <td>{formatMoney(node.total)}</td>
            </tr>
          ))}
          {!fetching && edges.length === 0 && (
            <tr>
              <td colSpan={6}>No orders match.</td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager trail={trail} pageInfo={data?.orders.pageInfo} turn={turn} />
    </section>
  );
}
