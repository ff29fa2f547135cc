import { cacheExchange } from "@urql/exchange-graphcache";
import { createClient as createWSClient } from "graphql-ws";
import { Client, fetchExchange, subscriptionExchange } from "urql";

// Types the API returns without an `id` are values inside their parent, not entities of their own.
const EMBEDDED = [
  "OrderConnection",
  "OrderEdge",
  "PageInfo",
  "OrderLine",
  "Money",
  "HistoryEntry",
  "SourcingDecision",
  "SourcingCandidate",
  "ShipmentLine",
  "TrackingEvent",
  "PickDecline",
  "PickListLine",
  "UserError",
  "OrderPayload",
  "ShipmentPayload",
  "DeliveryWindow",
  "AlternativeLine",
] as const;

/** One client per session: the token goes in every request (and the WebSocket's `?token=`, which browsers
 * cannot give headers); the normalized cache keeps one copy of each order and shipment by id. */
export function createMeridianClient(token: string): Client {
  const origin = window.location.origin;
  const wsUrl = `${origin.replace(/^http/, "ws")}/graphql?token=${encodeURIComponent(token)}`;
  const ws = createWSClient({ url: wsUrl, lazy: true, retryAttempts: 3 });
  return new Client({
    url: `${origin}/graphql`,
    fetchOptions: () => ({ headers: { Authorization: `Bearer ${token}` } }),
    exchanges: [
      cacheExchange({ keys: Object.fromEntries(EMBEDDED.map((name) => [name, () => null])) }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? "" };
          return {
            subscribe(sink) {
              const dispose = ws.subscribe(input, sink);
              return { unsubscribe: dispose };
            },
          };
        },
      }),
    ],
  });
}
