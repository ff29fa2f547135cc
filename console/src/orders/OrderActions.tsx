import { useState } from "react";
import { useMutation, type CombinedError } from "urql";
import { graphql } from "../gql";
import type { OrderChangeFragment, OrderStatus } from "../gql/graphql";
import { ErrorList, Field } from "../ui/Field";
import { placeUserErrors, type PlacedErrors } from "../ui/userErrors";

// Each returns the order's new status and id, so the normalized cache updates the page in place: one payload,
// spread by the three mutations below (registered here for them; its type is the generated OrderChangeFragment).
graphql(`
  fragment OrderChange on OrderPayload {
    order {
      id
      status
      version
    }
    userErrors {
      field
      message
      code
    }
  }
`);
const HoldOrder = graphql(`
  mutation HoldOrder($input: HoldOrderInput!) {
    placeOrderOnHold(input: $input) {
      ...OrderChange
    }
  }
`);
const ReleaseOrder = graphql(`
  mutation ReleaseOrder($input: HoldOrderInput!) {
    releaseOrderHold(input: $input) {
      ...OrderChange
    }
  }
`);
const CancelOrder = graphql(`
  mutation CancelOrder($input: CancelOrderInput!) {
    cancelOrder(input: $input) {
      ...OrderChange
    }
  }
`);

const FIELDS = ["reason"] as const;
const FINISHED: readonly OrderStatus[] = ["CANCELLED", "COMPLETED", "DELIVERED", "COLLECTED", "SHIPPED"];

/** `past`: the page shows an earlier moment, and one cannot act on the past. */
export function OrderActions({
  orderId,
  status,
  past = false,
}: {
  orderId: string;
  status: OrderStatus;
  past?: boolean;
}) {
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<PlacedErrors>({ byField: {}, general: [] });
  const [hold, runHold] = useMutation(HoldOrder);
  const [release, runRelease] = useMutation(ReleaseOrder);
  const [cancel, runCancel] = useMutation(CancelOrder);
  const busy = past || hold.fetching || release.fetching || cancel.fetching;
  const input = { orderId, reason: reason.trim() || null };

  // What any of the three answered: its userErrors at their fields, or why it could not be asked.
  const settle = (change: OrderChangeFragment | undefined, error: CombinedError | undefined) => {
    if (change) {
      setErrors(placeUserErrors(change.userErrors, FIELDS));
      if (change.userErrors.length === 0) setReason("");
    } else if (error) setErrors({ byField: {}, general: [error.message] });
  };

  const onHold = async () => {
    const r = await runHold({ input });
    settle(r.data?.placeOrderOnHold, r.error);
  };
  const onRelease = async () => {
    const r = await runRelease({ input });
    settle(r.data?.releaseOrderHold, r.error);
  };
  const onCancel = async () => {
    if (!window.confirm(`Cancel order ${orderId}? What has not shipped is released.`)) return;
    const r = await runCancel({ input });
    settle(r.data?.cancelOrder, r.error);
  };

  return (
    <form className="card" aria-label="Order actions" onSubmit={(e) => e.preventDefault()}>
      <div className="toolbar">
        <Field label="Reason" errors={errors.byField["reason"]}>
          {(props) => (
            <input {...props} value={reason} onChange={(e) => setReason(e.target.value)} size={40} />
          )}
        </Field>
        {status === "ON_HOLD" ? (
          <button type="button" disabled={busy} onClick={() => void onRelease()}>
            Release hold
          </button>
        ) : (
          <button type="button" disabled={busy || FINISHED.includes(status)} onClick={() => void onHold()}>
            Hold
          </button>
        )}
        <button
          type="button"
          className="danger"
          disabled={busy || FINISHED.includes(status)}
          onClick={() => void onCancel()}
        >
          Cancel order
        </button>
      </div>
      <ErrorList messages={errors.general} />
    </form>
  );
}
