import { useState } from "react";
import { formatDateTime, humanize } from "../ui/format";
import { CHOSEN_FILL, decisionStep, REJECTED_FILL, SHIP_TO_FILL, type DecisionInput } from "./decisions";
import type { GeoPoint } from "./geo";
import { UsMapLazy } from "./Map";
import { ShapeIcon } from "./Shape";

/** An order's sourcing decisions drawn one step at a time (placed, then each re-sourcing), the latest first
 * shown; the lists beside the map say the same as its markers, for whoever does not read the map. */
export function DecisionMap({
  decisions,
  shipTo,
}: {
  decisions: readonly DecisionInput[];
  shipTo: GeoPoint & { label: string };
}) {
  const [picked, setPicked] = useState<number | null>(null);
  if (decisions.length === 0) return null;
  const index = Math.min(picked ?? decisions.length - 1, decisions.length - 1);
  const decision = decisions[index];
  if (!decision) return null;
  const step = decisionStep(decision, shipTo);
  const name = `Step ${index + 1} of ${decisions.length}: ${humanize(decision.trigger)}`;
  return (
    <div className="decision-map">
      <div className="toolbar" role="group" aria-label="Sourcing steps">
        <button
          type="button"
          className="secondary"
          disabled={index === 0}
          onClick={() => setPicked(index - 1)}
        >
          Previous step
        </button>
        <ol className="steps">
          {decisions.map((d, i) => (
            <li key={`${d.decidedAt}-${i}`}>
              <button
                type="button"
                className="secondary"
                aria-pressed={i === index}
                onClick={() => setPicked(i)}
              >
                {i + 1}. {humanize(d.trigger)}
              </button>
            </li>
          ))}
        </ol>
        <button
          type="button"
          className="secondary"
          disabled={index === decisions.length - 1}
          onClick={() => setPicked(index + 1)}
        >
          Next step
        </button>
      </div>
      <p role="status">
        {name} at {formatDateTime(decision.decidedAt)}, total cost {decision.totalCost.toFixed(2)}
      </p>
      <div className="map-with-legend">
        <UsMapLazy label={`Sourcing map, ${name}`} markers={step.markers} links={step.links} />
        <div className="legend">
          <h3>Legend</h3>
          <ul aria-label="Map legend">
            <li>
              <ShapeIcon shape="star" fill={SHIP_TO_FILL} /> Ship-to {shipTo.label}
            </li>
            <li>
              <ShapeIcon shape="circle" fill={CHOSEN_FILL} /> Chosen location, solid line to the ship-to
            </li>
            <li>
              <ShapeIcon shape="circle" fill={REJECTED_FILL} rejected /> Rejected candidate, dashed line
            </li>
          </ul>
          <h3 id="chosen-title">Chosen</h3>
          <ul aria-labelledby="chosen-title">
            {step.chosen.length === 0 && <li className="muted">None (backordered)</li>}
            {step.chosen.map((c) => (
              <li key={c.code}>
                {c.code} ({c.name}){c.cost === null ? "" : `: cost ${c.cost.toFixed(2)}`}
              </li>
            ))}
          </ul>
          <h3 id="rejected-title">Rejected candidates</h3>
          <ul aria-labelledby="rejected-title">
            {step.rejected.length === 0 && <li className="muted">None</li>}
            {step.rejected.map((r) => (
              <li key={r.code}>
                {r.code} ({r.name}): {r.why}
              </li>
            ))}
          </ul>
        </div>
      </div>
    </div>
  );
}
