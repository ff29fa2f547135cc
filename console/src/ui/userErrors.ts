// A mutation's userErrors, placed at the field they name. The API names fields by their path in the input
// (["input", "reason"], ["input", "lines", "0", "picked"]); the form names its fields without the "input" root.

export interface UserErrorLike {
  field?: readonly string[] | null;
  message: string;
  code: string;
}

export interface PlacedErrors {
  /** Messages by form field key ("reason", "lines.0.picked"). */
  byField: Record<string, string[]>;
  /** Errors that name no field, or a field this form does not show. */
  general: string[];
}

export function fieldKey(path: readonly string[] | null | undefined): string | null {
  if (!path || path.length === 0) return null;
  const rest = path[0] === "input" ? path.slice(1) : path;
  return rest.length === 0 ? null : rest.join(".");
}

export function placeUserErrors(
  errors: readonly UserErrorLike[],
  knownFields: readonly string[],
): PlacedErrors {
  const byField: Record<string, string[]> = {};
  const general: string[] = [];
  for (const error of errors) {
    const key = fieldKey(error.field);
    if (key !== null && knownFields.includes(key)) {
      (byField[key] ??= []).push(error.message);
    } else {
      general.push(key === null ? error.message : `${error.message} (${key})`);
    }
  }
  return { byField, general };
}
