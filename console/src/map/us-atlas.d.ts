// us-atlas ships its TopoJSON without types; the one file the map loads, typed as what it is.
declare module "us-atlas/states-albers-10m.json" {
  import type { Topology, GeometryCollection } from "topojson-specification";
  const topology: Topology<{ states: GeometryCollection; nation: GeometryCollection }>;
  export default topology;
}
