// Where a point falls on the map. The atlas is us-atlas's states-albers-10m: already projected with geoAlbersUsa
// (scale 1300, centred in 975×610), so its shapes are drawn as they are and only our points (locations, a
// ship-to) are projected, here, the same way; the SVG's viewBox then scales both together to any width.
import { geoAlbersUsa } from "d3-geo";

export const ATLAS_WIDTH = 975;
export const ATLAS_HEIGHT = 610;
const ATLAS_SCALE = 1300;

export interface GeoPoint {
  latitude: number;
  longitude: number;
}

/** geoAlbersUsa's scale for a width × height viewport: the atlas's own at 975 × 610, shrunk or grown with the
 * side that binds, so the lower 48, Alaska and Hawaii always fit. */
export function scaleFor(width: number, height: number): number {
  return ATLAS_SCALE * Math.min(width / ATLAS_WIDTH, height / ATLAS_HEIGHT);
}

/** A function from latitude/longitude to [x, y] in a width × height viewport; null outside the US insets
 * (geoAlbersUsa draws only the lower 48, Alaska and Hawaii). */
export function projector(
  width = ATLAS_WIDTH,
  height = ATLAS_HEIGHT,
): (p: GeoPoint) => [number, number] | null {
  const projection = geoAlbersUsa()
    .scale(scaleFor(width, height))
    .translate([width / 2, height / 2]);
  return (p) => projection([p.longitude, p.latitude]);
}
