import { cacheExchange } from "@urql/exchange-graphcache";
import { createClient as createWSClient } from "graphql-ws";
import { Client, fetchExchange, mapExchange, subscriptionExchange } from "urql";

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
  "SourcingProfile",
  "EligibilityRule",
  "ServiceLevelLimit",
  "SourcingProfilePayload",
  "SimulationReport",
  "SimulationFigures",
  "SimulatedOrder",
  "EventConnection",
  "EventEdge",
  "EventRecord",
  "Inventory",
  "StockLevel",
  "StockPayload",
  "DeliverySlotConnection",
  "DeliverySlotEdge",
  "DeliverySlot",
  "DeliveryCapacity",
  "DeliveryCapacityPayload",
  "Substitution",
  "SubstitutionPayload",
  "Alternative",
  "FulfillmentOption",
  "SystemStatus",
  "LogReader",
  "JobQueue",
  "JobCount",
  "AdmissionStatus",
  "OrderFlow",
  "StockLevelConnection",
  "StockLevelEdge",
  "ShipmentConnection",
  "ShipmentEdge",
  "ShipTo",
] as const;

export interface Connection {
  client: Client;
  /** For reads "as of" a past moment: no normalized cache, so a past order's status never overwrites the
   * present one kept under the same id. */
  past: Client;
  /** Closes the session's WebSocket (on sign-out: its token must not stay in use). */
  close: () => void;
}

/** One client per session: the token goes in every request (and the WebSocket's `?token=`, which browsers
 * cannot give headers); the normalized cache keeps one copy of each order and shipment by id. */
export function connect(token: string, onRefused: () => void): Connection {
  const origin = window.location.origin;
  const wsUrl = `${origin.replace(/^http/, "ws")}/graphql?token=${encodeURIComponent(token)}`;
  const ws = createWSClient({ url: wsUrl, lazy: true, retryAttempts: 3 });
  const client = new Client({
    url: `${origin}/graphql`,
    fetchOptions: () => ({ headers: { Authorization: `Bearer ${token}` } }),
    exchanges: [
      // A token that expired or was revoked mid-session: back to sign-in rather than a screen of errors.
      mapExchange({
        onError(error) {
          if (error.response instanceof Response && error.response.status === 401) onRefused();
        },
      }),
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
  const past = new Client({
    url: `${origin}/graphql`,
    fetchOptions: () => ({ headers: { Authorization: `Bearer ${token}` } }),
    requestPolicy: "network-only",
    exchanges: [fetchExchange],
  });
  return { client, past, close: () => void ws.dispose() };
}
