import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { useQuery } from "urql";
import { graphql } from "../gql";
import { capacityShare, heatColor, heatSteps, UNKNOWN } from "../map/heat";
import { UsMapLazy } from "../map/Map";
import { ShapeIcon } from "../map/Shape";
import { shapeOf, TYPE_SHAPES, type MapMarker } from "../map/types";
import { useAsOf } from "../ui/asOf";
import { ErrorList, Field } from "../ui/Field";
import { formatDateTime, humanize } from "../ui/format";

// What a location's page edits; the network's query reads it too, so `updateLocation`'s answer refreshes both.
export const LocationSettingsFields = graphql(`
  fragment LocationSettingsFields on Location {
    id
    name
    active
    capabilities
    dailyCapacity
    handlingCost
    pickSlaMinutes
    pickupHoldDays
  }
`);

// The network and a location's page read the same document (one cached answer).
export const NetworkLocations = graphql(`
  query NetworkLocations {
    locations {
      ...LocationSettingsFields
      code
      type
      latitude
      longitude
      capacityUsedToday
    }
  }
`);

// Per-location ATP of one SKU, as of the console's moment (`inventory` rewinds; `stockLevels` does not).
const NetworkHeat = graphql(`
  query NetworkHeat($sku: String!, $asOf: DateTime) {
    inventory(sku: $sku, asOf: $asOf) {
      sku
      levels {
        sku
        available
        location {
          id
          code
        }
      }
    }
  }
`);

const CAPABILITIES = ["SHIP", "PICKUP", "RETURNS"] as const;
const PLAIN_FILL = "#6b7785";

/** "3 of 50" / "3 (unlimited)" / "—" when this token may not see it. */
export function capacityText(used: number | null | undefined, daily: number | null | undefined): string {
  if (used === null || used === undefined) return "—";
  return daily === null || daily === undefined ? `${used} (unlimited)` : `${used} of ${daily}`;
}

export function NetworkPage() {
  const [params, setParams] = useSearchParams();
  const sku = params.get("sku") ?? "";
  const capability = params.get("capability") ?? "";
  const [asOf] = useAsOf();
  const [draft, setDraft] = useState(sku);
  const set = (key: string, value: string) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (value) next.set(key, value);
      else next.delete(key);
      return next;
    });
  const onShow = (e: FormEvent) => {
    e.preventDefault();
    set("sku", draft.trim());
  };

  const [{ data, fetching, error }] = useQuery({ query: NetworkLocations });
  const [heat] = useQuery({ query: NetworkHeat, variables: { sku, asOf }, pause: !sku });
  const levels = new Map((sku ? (heat.data?.inventory.levels ?? []) : []).map((l) => [l.location.code, l]));
  const max = Math.max(0, ...[...levels.values()].map((l) => l.available));
  const locations = data?.locations ?? [];

  const markers: MapMarker[] = locations.map((l) => {
    const level = levels.get(l.code);
    const stock = sku ? `; ${sku}: ${level ? `${level.available} available` : "no stock level"}` : "";
    const capacity = `; capacity used today ${capacityText(l.capacityUsedToday, l.dailyCapacity)}`;
    return {
      key: l.code,
      at: l,
      title:
        `${l.code} (${l.name}), ${humanize(l.type)}${l.active ? "" : ", inactive"}, ` +
        `${l.capabilities.map(humanize).join(", ") || "no capabilities"}${stock}${capacity}`,
      shape: shapeOf(l.type),
      fill: sku ? heatColor(level?.available, max) : PLAIN_FILL,
      faded: (capability !== "" && !l.capabilities.some((c) => c === capability)) || !l.active,
      used: capacityShare(l.capacityUsedToday, l.dailyCapacity),
      href: `/network/${encodeURIComponent(l.code)}`,
    };
  });

  return (
    <section aria-labelledby="network-title">
      <h1 id="network-title">Network</h1>
      <form className="toolbar" role="search" aria-label="Stock heat" onSubmit={onShow}>
        <Field label="SKU for stock heat">
          {(props) => <input {...props} value={draft} onChange={(e) => setDraft(e.target.value)} />}
        </Field>
        <button type="submit">Show heat</button>
        <Field label="Capability">
          {(props) => (
            <select {...props} value={capability} onChange={(e) => set("capability", e.target.value)}>
              <option value="">Any</option>
              {CAPABILITIES.map((c) => (
                <option key={c} value={c}>
                  {humanize(c)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </form>
      {error && <ErrorList messages={[error.message]} />}
      {heat.error && <ErrorList messages={[heat.error.message]} />}
      {!data && fetching && <p aria-busy="true">Loading the network…</p>}
      {data && (
        <div className="map-with-legend">
          <UsMapLazy
            label={
              sku
                ? `Network map, stock heat of ${sku}${asOf ? ` as of ${formatDateTime(asOf)}` : ""}`
                : "Network map"
            }
            markers={markers}
          />
          <div className="legend">
            <h3>Legend</h3>
            <ul aria-label="Location types">
              {Object.entries(TYPE_SHAPES).map(([type, shape]) => (
                <li key={type}>
                  <ShapeIcon shape={shape} fill={PLAIN_FILL} /> {humanize(type)}
                </li>
              ))}
              <li>Faint: inactive, or without the chosen capability</li>
              <li>Bar under a marker: share of its daily capacity used today</li>
            </ul>
            {sku && (
              <ul aria-label={`Stock heat of ${sku}`}>
                {heatSteps(max).map((s) => (
                  <li key={s.units}>
                    <ShapeIcon shape="circle" fill={s.color} /> {s.units} available
                  </li>
                ))}
                <li>
                  <ShapeIcon shape="circle" fill={UNKNOWN} /> No level
                </li>
              </ul>
            )}
          </div>
        </div>
      )}
      {data && (
        <table>
          <caption>Locations{sku ? `, stock of ${sku}` : ""}</caption>
          <thead>
            <tr>
              <th scope="col">Location</th>
              <th scope="col">Type</th>
              <th scope="col">Capabilities</th>
              {sku && <th scope="col">{sku} available</th>}
              <th scope="col">Capacity used today</th>
            </tr>
          </thead>
          <tbody>
            {locations.map((l) => (
              <tr key={l.code}>
                <th scope="row">
                  <Link to={`/network/${encodeURIComponent(l.code)}`}>{l.code}</Link> ({l.name})
                  {l.active ? "" : " · inactive"}
                </th>
                <td>{humanize(l.type)}</td>
                <td>{l.capabilities.map(humanize).join(", ")}</td>
                {sku && <td>{levels.get(l.code)?.available ?? "—"}</td>}
                <td>{capacityText(l.capacityUsedToday, l.dailyCapacity)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
