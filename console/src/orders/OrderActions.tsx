import { useState } from "react";
import { useMutation } from "urql";
import { graphql } from "../gql";
import type { OrderStatus } from "../gql/graphql";
import { ErrorList, Field } from "../ui/Field";
import { placeUserErrors, type PlacedErrors } from "../ui/userErrors";

// Each returns the order's new status and id, so the normalized cache updates the page in place.
const HoldOrder = graphql(`
  mutation HoldOrder($input: HoldOrderInput!) {
    placeOrderOnHold(input: $input) {
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
  }
`);
const ReleaseOrder = graphql(`
  mutation ReleaseOrder($input: HoldOrderInput!) {
    releaseOrderHold(input: $input) {
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
  }
`);
const CancelOrder = graphql(`
  mutation CancelOrder($input: CancelOrderInput!) {
    cancelOrder(input: $input) {
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

  const settle = (result: {
    userErrors: readonly { field?: string[] | null; message: string; code: string }[];
  }) => {
    setErrors(placeUserErrors(result.userErrors, FIELDS));
    if (result.userErrors.length === 0) setReason("");
  };
  const failed = (message: string) => setErrors({ byField: {}, general: [message] });

  const onHold = async () => {
    const r = await runHold({ input });
    if (r.data) settle(r.data.placeOrderOnHold);
    else if (r.error) failed(r.error.message);
  };
  const onRelease = async () => {
    const r = await runRelease({ input });
    if (r.data) settle(r.data.releaseOrderHold);
    else if (r.error) failed(r.error.message);
  };
  const onCancel = async () => {
    if (!window.confirm(`Cancel order ${orderId}? What has not shipped is released.`)) return;
    const r = await runCancel({ input });
    if (r.data) settle(r.data.cancelOrder);
    else if (r.error) failed(r.error.message);
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
