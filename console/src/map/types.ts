// What the map draws, in the pages' words: points with a shape and colour, and lines between them. Kept apart
// from the map itself so the pages build these without loading the map's code (d3-geo and the atlas, lazily).
import type { GeoPoint } from "./geo";

export type Shape = "square" | "circle" | "diamond" | "triangle" | "hexagon" | "star";

export interface MapMarker {
  key: string;
  at: GeoPoint;
  /** What a person hears and sees on hover: the marker's <title> and its accessible name. */
  title: string;
  shape: Shape;
  fill: string;
  /** Drawn dashed and in the danger colour: a candidate turned down. */
  rejected?: boolean;
  /** Drawn faint: not what the reader asked to see (a location without the chosen capability). */
  faded?: boolean;
  /** Share of the day's capacity used (0 to 1), drawn as a bar under the marker; null or absent: none. */
  used?: number | null;
  /** A marker that leads somewhere is a link (its location's page). */
  href?: string;
}

export interface MapLink {
  key: string;
  from: GeoPoint;
  to: GeoPoint;
  kind: "chosen" | "rejected";
}

export interface MapProps {
  /** The map's accessible name. */
  label: string;
  markers: readonly MapMarker[];
  links?: readonly MapLink[];
}

export const TYPE_SHAPES: Record<string, Shape> = {
  DISTRIBUTION_CENTER: "square",
  STORE: "circle",
  THIRD_PARTY_LOGISTICS: "diamond",
  DROP_SHIP_VENDOR: "triangle",
  RETURNS_CENTER: "hexagon",
};

export const shapeOf = (type: string): Shape => TYPE_SHAPES[type] ?? "circle";
