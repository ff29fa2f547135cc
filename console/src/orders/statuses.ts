import type { OrderStatus } from "../gql/graphql";

export const PAGE_SIZE = 20;

// Every OrderStatus, in the order an order moves through them. `satisfies` ties the list to the generated enum.
export const ORDER_STATUSES = [
  "PLACED",
  "ON_HOLD",
  "ALLOCATED",
  "PARTIALLY_ALLOCATED",
  "BACKORDERED",
  "IN_FULFILLMENT",
  "PARTIALLY_SHIPPED",
  "SHIPPED",
  "PARTIALLY_DELIVERED",
  "DELIVERED",
  "READY_FOR_PICKUP",
  "COLLECTED",
  "COMPLETED",
  "CANCELLED",
] as const satisfies readonly OrderStatus[];

export function parseStatus(value: string | null): OrderStatus | null {
  return ORDER_STATUSES.find((s) => s === value) ?? null;
}
