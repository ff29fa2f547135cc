// Editing a substitution list (most preferred first) without a mouse: add, remove and move one step up or down.
// Pure: each returns a new list.

/** The list with `sku` added last; unchanged when it is empty, already listed, or the SKU it stands in for. */
export function addSubstitute(list: readonly string[], sku: string, owner: string): string[] {
  const next = sku.trim();
  if (!next || next === owner || list.includes(next)) return [...list];
  return [...list, next];
}

export function removeAt(list: readonly string[], index: number): string[] {
  return list.filter((_, i) => i !== index);
}

/** The list with the item at `index` moved by `delta` places (clamped at both ends). */
export function move(list: readonly string[], index: number, delta: number): string[] {
  const target = Math.min(Math.max(index + delta, 0), list.length - 1);
  if (index < 0 || index >= list.length || target === index) return [...list];
  const next = [...list];
  const [item] = next.splice(index, 1);
  if (item !== undefined) next.splice(target, 0, item);
  return next;
}
