import { useState } from "react";
import { placeUserErrors, type PlacedErrors, type UserErrorLike } from "./userErrors";

export const NO_ERRORS: PlacedErrors = { byField: {}, general: [] };

/** A form's mutation result settled: its userErrors placed at `fields` (or the transport error said), and
 * `onDone` called when nothing was refused. `settle` answers whether it went through. */
export function useSettle(fields: readonly string[], onDone: () => void) {
  const [errors, setErrors] = useState<PlacedErrors>(NO_ERRORS);
  const settle = (result: {
    data?: { userErrors: readonly UserErrorLike[] } | null | undefined;
    error?: Error | undefined;
  }) => {
    if (result.data) {
      setErrors(placeUserErrors(result.data.userErrors, fields));
      if (result.data.userErrors.length === 0) onDone();
      return result.data.userErrors.length === 0;
    }
    setErrors({ byField: {}, general: [result.error?.message ?? "The API did not answer."] });
    return false;
  };
  return [errors, settle] as const;
}
