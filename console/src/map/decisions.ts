// An order's sourcing decisions as steps on the map: the ship-to, the locations chosen (linked to it) and the
// candidates turned down with why. Pure, so what each step shows is unit-tested without a browser.
import type { GeoPoint } from "./geo";
import { shapeOf, type MapLink, type MapMarker } from "./types";

export interface CandidateInput {
  selected: boolean;
  reason?: string | null;
  cost?: number | null;
  location: { code: string; name: string; type: string; latitude: number; longitude: number };
}

export interface DecisionInput {
  trigger: string;
  decidedAt: string;
  totalCost: number;
  candidates: readonly CandidateInput[];
}

export interface Turned {
  code: string;
  name: string;
  /** Why it was not chosen: the engine's reason, else that another was cheaper than its cost. */
  why: string;
}

export interface DecisionStep {
  markers: MapMarker[];
  links: MapLink[];
  chosen: { code: string; name: string; cost: number | null }[];
  rejected: Turned[];
}

export const CHOSEN_FILL = "#0b5cad";
export const REJECTED_FILL = "#ffffff";
export const SHIP_TO_FILL = "#f0a500";

const money = (cost: number) => cost.toFixed(2);

/** Why a candidate was turned down, in words: its reason, else the cost it would have had. */
export function whyRejected(c: CandidateInput): string {
  if (c.reason) return c.reason;
  if (c.cost !== null && c.cost !== undefined) return `costlier: ${money(c.cost)}`;
  return "not chosen";
}

export function decisionStep(decision: DecisionInput, shipTo: GeoPoint & { label: string }): DecisionStep {
  const shipToMarker: MapMarker = {
    key: "ship-to",
    at: shipTo,
    title: `Ship-to ${shipTo.label}`,
    shape: "star",
    fill: SHIP_TO_FILL,
  };
  const markers: MapMarker[] = [shipToMarker];
  const links: MapLink[] = [];
  const chosen: DecisionStep["chosen"] = [];
  const rejected: Turned[] = [];
  for (const c of decision.candidates) {
    const { code, name } = c.location;
    const at = { latitude: c.location.latitude, longitude: c.location.longitude };
    const kind = c.selected ? "chosen" : "rejected";
    if (c.selected) chosen.push({ code, name, cost: c.cost ?? null });
    else rejected.push({ code, name, why: whyRejected(c) });
    const detail = c.selected
      ? `chosen${c.cost === null || c.cost === undefined ? "" : `, cost ${money(c.cost)}`}`
      : `rejected: ${whyRejected(c)}`;
    markers.push({
      key: code,
      at,
      title: `${code} (${name}) ${detail}`,
      shape: shapeOf(c.location.type),
      fill: c.selected ? CHOSEN_FILL : REJECTED_FILL,
      rejected: !c.selected,
    });
    links.push({ key: `${kind}-${code}`, from: at, to: shipTo, kind });
  }
  return { markers, links, chosen, rejected };
}
