import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { useQuery } from "urql";
import { graphql } from "../gql";
import { ErrorList, Field, StatusBadge } from "../ui/Field";
import { useAsOf } from "../ui/asOf";
import { formatDateTime, formatMoney, humanize } from "../ui/format";
import { Pager, useCursorTrail } from "../ui/Pager";
import {
  NO_FILTERS,
  filterParams,
  filterProblems,
  readFilters,
  searchErrors,
  searchVariables,
  type FilterKey,
  type OrderFilters,
} from "./search";
import { ORDER_STATUSES, PAGE_SIZE, parseStatus } from "./statuses";

const OrdersList = graphql(`
  query OrdersList(
    $first: Int!
    $after: String
    $status: OrderStatus
    $customerId: String
    $locationCode: String
    $sku: String
    $placedFrom: DateTime
    $placedTo: DateTime
  ) {
    orders(
      first: $first
      after: $after
      status: $status
      customerId: $customerId
      locationCode: $locationCode
      sku: $sku
      placedFrom: $placedFrom
      placedTo: $placedTo
    ) {
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
          shipments {
            id
            location {
              code
            }
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

/** Orders by placement time, searched, a page at a time with the API's cursors. The search and the cursor trail
 * live in the URL, so a search can be linked to and Back works. */
export function OrdersPage() {
  const [params, setParams] = useSearchParams();
  const [asOf] = useAsOf();
  const filters = readFilters(params);
  const problems = filterProblems(filters);
  const valid = Object.keys(problems).length === 0;
  const { after, trail, turn } = useCursorTrail();
  const [{ data, fetching, error }] = useQuery({
    query: OrdersList,
    variables: { first: PAGE_SIZE, after, ...searchVariables(filters) },
    // Shown at once from the cache, then refreshed: statuses move while the list is away.
    requestPolicy: "cache-and-network",
    pause: !valid,
  });
  const refused = searchErrors(error);

  // A new search is a new history entry (Back returns to the one before), from its first page; the moment shown
  // is kept.
  const go = (next: URLSearchParams) => {
    if (asOf) next.set("asOf", asOf);
    setParams(next);
  };

  // A search refused before asking lists nothing (the last answer, for another search, is not shown).
  const orders = valid ? data?.orders : undefined;
  const edges = orders?.edges ?? [];
  const orderLink = (id: string) =>
    `/orders/${encodeURIComponent(id)}${asOf ? `?asOf=${encodeURIComponent(asOf)}` : ""}`;
  return (
    <section aria-labelledby="orders-title">
      <h1 id="orders-title">Orders</h1>
      {/* Remounted when the URL's search changes (Back, a shared link), so the form shows the search listed. */}
      <SearchForm
        key={filterParams(filters).toString()}
        initial={filters}
        problems={{ ...refused.byField, ...problems }}
        onSearch={(next) => go(filterParams(next))}
      />
      <ErrorList messages={refused.general} />
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
            <th scope="col">Ships from</th>
            <th scope="col">Total</th>
          </tr>
        </thead>
        <tbody>
          {edges.map(({ node }) => (
            <tr key={node.id}>
              <td>
                <Link to={orderLink(node.id)}>{node.id}</Link>
              </td>
              <td>
                <StatusBadge status={node.status} />
              </td>
              <td>{node.customerId}</td>
              <td>{formatDateTime(node.placedAt)}</td>
              <td>{node.lines.map((l) => `${l.quantity}× ${l.sku}`).join(", ")}</td>
              <td>{[...new Set(node.shipments.map((s) => s.location.code))].sort().join(", ") || "—"}</td>
              <td>{formatMoney(node.total)}</td>
            </tr>
          ))}
          {!fetching && !error && valid && edges.length === 0 && (
            <tr>
              <td colSpan={7}>No orders match this search.</td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager trail={trail} pageInfo={orders?.pageInfo} turn={turn} />
    </section>
  );
}

const TEXT_FIELDS: readonly { key: Exclude<FilterKey, "status">; label: string; type: string }[] = [
  { key: "customer", label: "Customer", type: "text" },
  { key: "location", label: "Location", type: "text" },
  { key: "sku", label: "SKU", type: "text" },
  { key: "from", label: "Placed from", type: "date" },
  { key: "to", label: "Placed to", type: "date" },
];

function SearchForm({
  initial,
  problems,
  onSearch,
}: {
  initial: OrderFilters;
  problems: Partial<Record<FilterKey, string>>;
  onSearch: (filters: OrderFilters) => void;
}) {
  const [draft, setDraft] = useState(initial);
  const errorsOf = (key: FilterKey) => (problems[key] ? [problems[key]] : undefined);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSearch(draft);
  };
  return (
    <form role="search" aria-label="Search orders" className="toolbar" onSubmit={submit}>
      <Field label="Status" errors={errorsOf("status")}>
        {(props) => (
          <select
            {...props}
            value={draft.status ?? ""}
            // A choice from a list searches at once; typed fields wait for Enter or "Search".
            onChange={(e) => onSearch({ ...draft, status: parseStatus(e.target.value) })}
          >
            <option value="">Any status</option>
            {ORDER_STATUSES.map((s) => (
              <option key={s} value={s}>
                {humanize(s)}
              </option>
            ))}
          </select>
        )}
      </Field>
      {TEXT_FIELDS.map(({ key, label, type }) => (
        <Field key={key} label={label} errors={errorsOf(key)}>
          {(props) => (
            <input
              {...props}
              type={type}
              value={draft[key]}
              size={type === "text" ? 12 : undefined}
              onChange={(e) => setDraft({ ...draft, [key]: e.target.value })}
            />
          )}
        </Field>
      ))}
      <button type="submit">Search</button>
      <button type="button" className="secondary" onClick={() => onSearch(NO_FILTERS)}>
        Clear
      </button>
    </form>
  );
}
