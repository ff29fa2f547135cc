// The US map, drawn offline: us-atlas's states (TopoJSON, already in Albers USA) through topojson-client and
// d3-geo, our points projected the same way (geo.ts). Loaded lazily (Map.tsx) so the first screen stays small.
import { geoPath } from "d3-geo";
import { feature, mesh } from "topojson-client";
import atlas from "us-atlas/states-albers-10m.json";
import type { ReactNode } from "react";
import { useHref, useLinkClickHandler } from "react-router-dom";
import { ATLAS_HEIGHT, ATLAS_WIDTH, projector } from "./geo";
import { shapePath } from "./Shape";
import type { MapMarker, MapProps } from "./types";

const RADIUS = 9;
const project = projector();
const path = geoPath();
const nation = path(feature(atlas, atlas.objects.nation)) ?? "";
const borders = path(mesh(atlas, atlas.objects.states, (a, b) => a !== b)) ?? "";

export default function UsMap({ label, markers, links = [] }: MapProps) {
  const placed = markers.flatMap((m) => {
    const xy = project(m.at);
    return xy ? [{ marker: m, xy }] : [];
  });
  const offMap = markers.filter((m) => !project(m.at));
  return (
    <figure className="us-map">
      <svg viewBox={`0 0 ${ATLAS_WIDTH} ${ATLAS_HEIGHT}`} role="group" aria-label={label}>
        <g aria-hidden="true">
          <path d={nation} className="land" />
          <path d={borders} className="borders" />
        </g>
        <g aria-hidden="true">
          {links.flatMap((l) => {
            const from = project(l.from);
            const to = project(l.to);
            return from && to
              ? [
                  <line
                    key={l.key}
                    x1={from[0]}
                    y1={from[1]}
                    x2={to[0]}
                    y2={to[1]}
                    className={`link ${l.kind}`}
                  />,
                ]
              : [];
          })}
        </g>
        {placed.map(({ marker, xy }) => (
          <Marker key={marker.key} marker={marker} x={xy[0]} y={xy[1]} />
        ))}
      </svg>
      {offMap.length > 0 && (
        <figcaption className="muted">
          Not on the map (outside the US): {offMap.map((m) => m.title).join("; ")}
        </figcaption>
      )}
    </figure>
  );
}

function Marker({ marker, x, y }: { marker: MapMarker; x: number; y: number }) {
  const classes = ["marker", marker.rejected ? "rejected" : "", marker.faded ? "faded" : ""].join(" ").trim();
  const body = (
    <>
      <title>{marker.title}</title>
      <path d={shapePath(marker.shape, RADIUS)} fill={marker.fill} className="shape" />
      {marker.used !== null && marker.used !== undefined && (
        <g className="capacity">
          <rect x={-RADIUS} y={RADIUS + 3} width={RADIUS * 2} height={4} className="capacity-track" />
          <rect
            x={-RADIUS}
            y={RADIUS + 3}
            width={RADIUS * 2 * marker.used}
            height={4}
            className="capacity-used"
          />
        </g>
      )}
    </>
  );
  const at = `translate(${x.toFixed(1)},${y.toFixed(1)})`;
  if (marker.href)
    return (
      <MarkerLink to={marker.href} label={marker.title} className={classes} transform={at}>
        {body}
      </MarkerLink>
    );
  return (
    <g className={classes} transform={at} tabIndex={0} role="img" aria-label={marker.title}>
      {body}
    </g>
  );
}

/** A marker that is a link: the router's own navigation on click, a real href for a new tab. */
function MarkerLink({
  to,
  label,
  className,
  transform,
  children,
}: {
  to: string;
  label: string;
  className: string;
  transform: string;
  children: ReactNode;
}) {
  const href = useHref(to);
  const onClick = useLinkClickHandler<HTMLAnchorElement>(to);
  return (
    <a href={href} onClick={onClick} aria-label={label} className={className}>
      <g transform={transform}>{children}</g>
    </a>
  );
}
