import { lazy, Suspense } from "react";
import type { MapProps } from "./types";

// The map's code and atlas (d3-geo, topojson-client, us-atlas: ~40 kB gzipped) arrive only with a screen that
// draws it, not with the console's first screen.
const UsMap = lazy(() => import("./UsMap"));

export function UsMapLazy(props: MapProps) {
  return (
    <Suspense fallback={<p aria-busy="true">Loading the map…</p>}>
      <UsMap {...props} />
    </Suspense>
  );
}
