import { useState } from "react";
import { Link } from "react-router-dom";
import { useMutation, useQuery } from "urql";
import type { Session } from "../auth/session";
import { graphql } from "../gql";
import type { SourcingProfileQuery } from "../gql/graphql";
import { ErrorList, Field } from "../ui/Field";
import { formatDateTime, humanize } from "../ui/format";
import { LOCATION_TYPES, SERVICE_LEVELS, draftField, draftOf, inputOf, type Draft } from "./draft";
import { FIGURES, FiguresChart } from "./FiguresChart";
import { historyOf } from "./history";

const SourcingProfile = graphql(`
  query SourcingProfile {
    sourcingProfile {
      name
      version
      definedAt
      reason
      eligibility {
        channel
        serviceLevel
        locationTypes
      }
      maxDistanceKm {
        serviceLevel
        value
      }
      maxDays {
        serviceLevel
        value
      }
      excludedLocations
      preferredLocations
      maxShipments
      storePenalty
    }
  }
`);
// The history comes from the profile's own stream in the log (admins may read it): who, when and why per version.
const ProfileHistory = graphql(`
  query ProfileHistory($streamId: String!, $after: String) {
    events(streamId: $streamId, first: 20, after: $after) {
      edges {
        node {
          version
          type
          at
          data
          metadata
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);
const SimulateSourcing = graphql(`
  query SimulateSourcing($input: SimulateSourcingInput!) {
    simulateSourcing(input: $input) {
      current {
        orders
        totalCost
        shipments
        splitOrders
        backorderedUnits
        meanPromisedDays
      }
      draft {
        orders
        totalCost
        shipments
        splitOrders
        backorderedUnits
        meanPromisedDays
      }
      changed {
        orderId
        currentCost
        draftCost
        currentLocations
        draftLocations
      }
    }
  }
`);
const DefineSourcingProfile = graphql(`
  mutation DefineSourcingProfile($input: SourcingProfileInput!) {
    defineSourcingProfile(input: $input) {
      profile {
        version
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

type Profile = NonNullable<SourcingProfileQuery["sourcingProfile"]>;
type Errors = Record<string, string[]>;

/** The draft's two lists of location codes, edited alike. */
const LOCATION_LISTS = [
  ["excludedLocations", "Excluded locations"],
  ["preferredLocations", "Preferred locations"],
] as const;

export function SourcingPage({ session }: { session: Session }) {
  if (session.role !== "admin") {
    return (
      <>
        <h1>Sourcing rules</h1>
        <p role="alert">Sourcing rules are for admins only.</p>
      </>
    );
  }
  return <SourcingRules />;
}

function SourcingRules() {
  const [result, refetch] = useQuery({ query: SourcingProfile });
  if (result.fetching && !result.data) return <p aria-busy="true">Loading…</p>;
  if (result.error) return <ErrorList messages={[result.error.message]} />;
  const profile = result.data?.sourcingProfile ?? null;
  return (
    <>
      <h1>Sourcing rules</h1>
      <div className="grid">
        <div>
          <CurrentProfile profile={profile} />
          {profile && <History key={profile.version} />}
        </div>
        <DraftEditor
          key={profile?.version ?? 0}
          profile={profile}
          onActivated={() => refetch({ requestPolicy: "network-only" })}
        />
      </div>
    </>
  );
}

function limitsText(limits: Profile["maxDays"], unit: string): string {
  return limits.length === 0
    ? "none"
    : limits.map((l) => `${humanize(l.serviceLevel)} ≤ ${l.value} ${unit}`).join(", ");
}

function CurrentProfile({ profile }: { profile: Profile | null }) {
  if (!profile) {
    return (
      <section className="card" aria-labelledby="current-heading">
        <h2 id="current-heading">In force: the built-in rules</h2>
        <p className="muted">No version of the default profile has been defined yet.</p>
      </section>
    );
  }
  return (
    <section className="card" aria-labelledby="current-heading">
      <h2 id="current-heading">In force: version {profile.version}</h2>
      <table>
        <caption>Eligibility</caption>
        <thead>
          <tr>
            <th scope="col">Channel</th>
            <th scope="col">Service level</th>
            <th scope="col">Location types</th>
          </tr>
        </thead>
        <tbody>
          {profile.eligibility.map((rule, i) => (
            <tr key={i}>
              <td>{rule.channel ?? "any"}</td>
              <td>{rule.serviceLevel ? humanize(rule.serviceLevel) : "any"}</td>
              <td>{rule.locationTypes.map(humanize).join(", ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <dl className="facts">
        <dt>Max distance</dt>
        <dd>{limitsText(profile.maxDistanceKm, "km")}</dd>
        <dt>Max days</dt>
        <dd>{limitsText(profile.maxDays, "days")}</dd>
        <dt>Excluded locations</dt>
        <dd>{profile.excludedLocations.join(", ") || "none"}</dd>
        <dt>Preferred locations</dt>
        <dd>{profile.preferredLocations.join(", ") || "none"}</dd>
        <dt>Max shipments</dt>
        <dd>{profile.maxShipments ?? "unlimited"}</dd>
        <dt>Store penalty</dt>
        <dd>{profile.storePenalty}</dd>
      </dl>
    </section>
  );
}

/** Every version, oldest first, 20 to a page (the stream's cursors); remounted (keyed by the version in force) on activation. */
function History() {
  const [trail, setTrail] = useState<string[]>([]);
  const after = trail[trail.length - 1] ?? null;
  const [result] = useQuery({
    query: ProfileHistory,
    variables: { streamId: "profile-default", after },
    requestPolicy: "cache-and-network",
  });
  const page = result.data?.events;
  const rows = historyOf(page?.edges.map((edge) => edge.node) ?? []);
  return (
    <>
      <table>
        <caption>Version history</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Defined</th>
            <th scope="col">By</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.version}>
              <td>{row.version}</td>
              <td>{formatDateTime(row.at)}</td>
              <td>{row.who ?? ""}</td>
              <td>{row.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {result.error && <ErrorList messages={[result.error.message]} />}
      <div className="toolbar">
        <button type="button" disabled={trail.length === 0} onClick={() => setTrail(trail.slice(0, -1))}>
          Earlier versions
        </button>
        <button
          type="button"
          disabled={!page?.pageInfo.hasNextPage}
          onClick={() => page?.pageInfo.endCursor && setTrail([...trail, page.pageInfo.endCursor])}
        >
          Later versions
        </button>
      </div>
    </>
  );
}

/** A datetime-local input's value: minutes, in UTC (the console shows every time in UTC). */
function localValue(date: Date): string {
  return date.toISOString().slice(0, 16);
}

function DraftEditor({ profile, onActivated }: { profile: Profile | null; onActivated: () => void }) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(profile));
  const [errors, setErrors] = useState<Errors>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [activated, setActivated] = useState<string | null>(null);
  const [period, setPeriod] = useState(() => {
    const now = Date.now();
    return { from: localValue(new Date(now - 7 * 86_400_000)), to: localValue(new Date(now + 60_000)) };
  });
  const [simulation, setSimulation] = useState<{
    input: ReturnType<typeof inputOf>;
    from: string;
    to: string;
  } | null>(null);
  const [report] = useQuery({
    query: SimulateSourcing,
    variables: simulation
      ? { input: { profile: simulation.input, from: `${simulation.from}:00Z`, to: `${simulation.to}:00Z` } }
      : { input: { profile: { eligibility: [] }, from: "", to: "" } },
    pause: simulation === null,
    requestPolicy: "network-only",
  });
  const [define, runDefine] = useMutation(DefineSourcingProfile);

  const edit = (change: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...change }));
    setActivated(null);
  };
  const place = (found: readonly { field?: readonly string[] | null; message: string }[]) => {
    const byField: Errors = {};
    const rest: string[] = [];
    for (const e of found) {
      const key = draftField(e.field);
      if (key) (byField[key] ??= []).push(e.message);
      else rest.push(e.message);
    }
    setErrors(byField);
    setGeneral(rest);
  };

  const whatIf = () => {
    setErrors({});
    setGeneral([]);
    setSimulation({ input: inputOf(draft), from: period.from, to: period.to });
  };
  const activate = async () => {
    const r = await runDefine({ input: inputOf(draft, profile?.version ?? 0) });
    if (r.error) return place([{ message: r.error.message }]);
    const payload = r.data?.defineSourcingProfile;
    if (!payload) return;
    place(payload.userErrors);
    if (payload.userErrors.length === 0) {
      setActivated(
        payload.profile ? `Version ${payload.profile.version} is in force` : "No change: already in force",
      );
      onActivated();
    }
  };

  // A what-if the API refuses names its field in the error's path ("input.profile.excludedLocations.0").
  const refusal = report.error?.graphQLErrors[0];
  const refusalPath = refusal?.extensions?.["field"];
  const simErrors: Errors = {};
  const simGeneral: string[] = [];
  if (refusal) {
    const key = draftField(typeof refusalPath === "string" ? refusalPath : null);
    if (key && key !== "from" && key !== "to") (simErrors[key] ??= []).push(refusal.message);
    else simGeneral.push(refusal.message);
  } else if (report.error) simGeneral.push(report.error.message);
  const at = (field: string) => [...(errors[field] ?? []), ...(simErrors[field] ?? [])];

  const rules = draft.eligibility;
  const setRule = (i: number, change: Partial<Draft["eligibility"][number]>) =>
    edit({ eligibility: rules.map((r, j) => (j === i ? { ...r, ...change } : r)) });
  const figures = report.data?.simulateSourcing;

  return (
    <section className="card" aria-labelledby="draft-heading">
      <h2 id="draft-heading">Draft</h2>
      <form aria-label="Draft profile" onSubmit={(e) => e.preventDefault()}>
        <fieldset>
          <legend>Eligibility</legend>
          {rules.map((rule, i) => (
            <div key={i} className="toolbar" role="group" aria-label={`Rule ${i + 1}`}>
              <Field label={`Rule ${i + 1} channel`}>
                {(props) => (
                  <input
                    {...props}
                    value={rule.channel}
                    placeholder="any"
                    size={10}
                    onChange={(e) => setRule(i, { channel: e.target.value })}
                  />
                )}
              </Field>
              <Field label={`Rule ${i + 1} service level`}>
                {(props) => (
                  <select
                    {...props}
                    value={rule.serviceLevel}
                    onChange={(e) =>
                      setRule(i, {
                        serviceLevel: e.target.value as Draft["eligibility"][number]["serviceLevel"],
                      })
                    }
                  >
                    <option value="">any</option>
                    {SERVICE_LEVELS.map((level) => (
                      <option key={level} value={level}>
                        {humanize(level)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <span>
                {LOCATION_TYPES.map((type) => (
                  <label key={type} className="check">
                    <input
                      type="checkbox"
                      checked={rule.locationTypes.includes(type)}
                      onChange={(e) =>
                        setRule(i, {
                          locationTypes: e.target.checked
                            ? [...rule.locationTypes, type]
                            : rule.locationTypes.filter((t) => t !== type),
                        })
                      }
                    />{" "}
                    {humanize(type)}
                  </label>
                ))}
              </span>
              <button
                type="button"
                aria-label={`Remove rule ${i + 1}`}
                onClick={() => edit({ eligibility: rules.filter((_, j) => j !== i) })}
              >
                Remove
              </button>
            </div>
          ))}
          <button
            type="button"
            onClick={() =>
              edit({ eligibility: [...rules, { channel: "", serviceLevel: "", locationTypes: [] }] })
            }
          >
            Add rule
          </button>
          <ErrorList messages={at("eligibility")} />
        </fieldset>
        <fieldset>
          <legend>Limits per service level (blank: none)</legend>
          <div className="toolbar">
            {SERVICE_LEVELS.map((level) => (
              <Field key={`km-${level}`} label={`${humanize(level)} max km`}>
                {(props) => (
                  <input
                    {...props}
                    type="number"
                    min={0}
                    size={6}
                    value={draft.maxDistanceKm[level]}
                    onChange={(e) =>
                      edit({ maxDistanceKm: { ...draft.maxDistanceKm, [level]: e.target.value } })
                    }
                  />
                )}
              </Field>
            ))}
            {SERVICE_LEVELS.map((level) => (
              <Field key={`days-${level}`} label={`${humanize(level)} max days`}>
                {(props) => (
                  <input
                    {...props}
                    type="number"
                    min={0}
                    step={1}
                    size={4}
                    value={draft.maxDays[level]}
                    onChange={(e) => edit({ maxDays: { ...draft.maxDays, [level]: e.target.value } })}
                  />
                )}
              </Field>
            ))}
          </div>
          <ErrorList messages={[...at("maxDistanceKm"), ...at("maxDays")]} />
        </fieldset>
        <div className="toolbar">
          {LOCATION_LISTS.map(([name, label]) => (
            <Field key={name} label={label} errors={at(name)}>
              {(props) => (
                <input
                  {...props}
                  value={draft[name]}
                  placeholder="codes, comma-separated"
                  onChange={(e) =>
                    edit(
                      name === "excludedLocations"
                        ? { excludedLocations: e.target.value }
                        : { preferredLocations: e.target.value },
                    )
                  }
                />
              )}
            </Field>
          ))}
          <Field label="Max shipments" errors={at("maxShipments")}>
            {(props) => (
              <input
                {...props}
                type="number"
                min={1}
                size={4}
                placeholder="unlimited"
                value={draft.maxShipments}
                onChange={(e) => edit({ maxShipments: e.target.value })}
              />
            )}
          </Field>
          <Field label="Store penalty" errors={at("storePenalty")}>
            {(props) => (
              <input
                {...props}
                type="number"
                min={0}
                step="any"
                size={6}
                value={draft.storePenalty}
                onChange={(e) => edit({ storePenalty: e.target.value })}
              />
            )}
          </Field>
        </div>

        <h3>What-if</h3>
        <div className="toolbar">
          <Field label="Orders placed from (UTC)">
            {(props) => (
              <input
                {...props}
                type="datetime-local"
                value={period.from}
                onChange={(e) => setPeriod({ ...period, from: e.target.value })}
              />
            )}
          </Field>
          <Field label="to (UTC)">
            {(props) => (
              <input
                {...props}
                type="datetime-local"
                value={period.to}
                onChange={(e) => setPeriod({ ...period, to: e.target.value })}
              />
            )}
          </Field>
          <button type="button" disabled={report.fetching} onClick={whatIf}>
            Run what-if
          </button>
        </div>
        <ErrorList messages={simGeneral} />
        {figures && !report.fetching && (
          <section aria-label="What-if result">
            <p>
              Orders placed in the period: {figures.current.orders}; the draft would source{" "}
              {figures.changed.length} of them differently.
            </p>
            <FiguresChart current={figures.current} draft={figures.draft} />
            <table>
              <caption>Figures</caption>
              <thead>
                <tr>
                  <th scope="col">Figure</th>
                  <th scope="col">Current rules</th>
                  <th scope="col">Draft</th>
                </tr>
              </thead>
              <tbody>
                {FIGURES.map(({ key, label, digits }) => (
                  <tr key={key}>
                    <th scope="row">{label}</th>
                    <td>{figures.current[key].toFixed(digits)}</td>
                    <td>{figures.draft[key].toFixed(digits)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <table>
              <caption>Orders that would change</caption>
              <thead>
                <tr>
                  <th scope="col">Order</th>
                  <th scope="col">Now from</th>
                  <th scope="col">Draft from</th>
                  <th scope="col">Cost now → draft</th>
                </tr>
              </thead>
              <tbody>
                {figures.changed.map((order) => (
                  <tr key={order.orderId}>
                    <td>
                      <Link to={`/orders/${encodeURIComponent(order.orderId)}`}>{order.orderId}</Link>
                    </td>
                    <td>{order.currentLocations.join(", ") || "—"}</td>
                    <td>{order.draftLocations.join(", ") || "— (backordered)"}</td>
                    <td>
                      {order.currentCost.toFixed(2)} → {order.draftCost.toFixed(2)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        )}

        <h3>Activate</h3>
        <div className="toolbar">
          <Field label="Reason for the change" errors={at("reason")}>
            {(props) => (
              <input
                {...props}
                value={draft.reason}
                size={40}
                onChange={(e) => edit({ reason: e.target.value })}
              />
            )}
          </Field>
          <button type="button" disabled={define.fetching} onClick={() => void activate()}>
            Activate
          </button>
        </div>
        <ErrorList messages={[...at("expectedVersion"), ...at("name"), ...general]} />
        {activated && <p role="status">{activated}</p>}
      </form>
    </section>
  );
}
