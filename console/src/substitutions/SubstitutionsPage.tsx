import { useEffect, useRef, useState, type FormEvent } from "react";
import { useNavigate, useParams } from "react-router-dom";
import { useMutation, useQuery } from "urql";
import type { Session } from "../auth/session";
import { graphql } from "../gql";
import { ErrorList, Field } from "../ui/Field";
import { useSettle } from "../ui/useSettle";
import { addSubstitute, move, removeAt } from "./list";

const Substitutes = graphql(`
  query Substitutes($sku: String!) {
    substitutes(sku: $sku) {
      sku
      substitutes
    }
  }
`);

const SetSubstitutes = graphql(`
  mutation SetSubstitutes($input: SetSubstitutesInput!) {
    setSubstitutes(input: $input) {
      substitution {
        sku
        substitutes
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

const MOVES = [
  { up: true, arrow: "↑ Up" },
  { up: false, arrow: "↓ Down" },
] as const;

/** A SKU's substitution list: what may be sent instead when it cannot be, most preferred first. */
export function SubstitutionsPage({ session }: { session: Session }) {
  const { sku = "" } = useParams();
  const navigate = useNavigate();
  const [draft, setDraft] = useState(sku);
  const onFind = (e: FormEvent) => {
    e.preventDefault();
    const next = draft.trim();
    if (next) navigate(`/substitutions/${encodeURIComponent(next)}`);
  };
  return (
    <section aria-labelledby="substitutions-title">
      <h1 id="substitutions-title">Substitutions{sku ? ` for ${sku}` : ""}</h1>
      <form className="toolbar" role="search" aria-label="Find substitutions" onSubmit={onFind}>
        <Field label="SKU">
          {(props) => <input {...props} value={draft} onChange={(e) => setDraft(e.target.value)} />}
        </Field>
        <button type="submit">Show substitutes</button>
      </form>
      {sku && <SubstitutionList key={sku} sku={sku} admin={session.role === "admin"} />}
    </section>
  );
}

function SubstitutionList({ sku, admin }: { sku: string; admin: boolean }) {
  const [{ data, error }, refetch] = useQuery({ query: Substitutes, variables: { sku } });
  if (error) return <ErrorList messages={[error.message]} />;
  if (!data) return <p aria-busy="true">Loading the substitutes of {sku}…</p>;
  const saved = data.substitutes?.substitutes ?? [];
  return (
    <SubstitutesEditor
      sku={sku}
      saved={saved}
      admin={admin}
      onSaved={() => refetch({ requestPolicy: "network-only" })}
    />
  );
}

function SubstitutesEditor({
  sku,
  saved,
  admin,
  onSaved,
}: {
  sku: string;
  saved: readonly string[];
  admin: boolean;
  onSaved: () => void;
}) {
  const [list, setList] = useState<string[]>([...saved]);
  const [adding, setAdding] = useState("");
  const [notice, setNotice] = useState("");
  const [state, run] = useMutation(SetSubstitutes);
  const fields = ["sku", "substitutes", ...list.map((_, i) => `substitutes.${i}`)];
  const [errors, settle] = useSettle(fields, onSaved);
  const changed = list.join("\n") !== saved.join("\n");
  // Moving an item is announced, and focus follows the item (to its other button when it reached an end), so
  // a keyboard user can press Up or Down again and hear where it went.
  const listRef = useRef<HTMLOListElement>(null);
  const [moved, setMoved] = useState<{ item: string; up: boolean } | null>(null);
  useEffect(() => {
    if (!moved || !listRef.current) return;
    const buttons = [...listRef.current.querySelectorAll<HTMLButtonElement>("button[data-item]")].filter(
      (b) => b.dataset["item"] === moved.item,
    );
    const wanted = buttons.find((b) => b.dataset["up"] === String(moved.up) && !b.disabled);
    (wanted ?? buttons.find((b) => !b.disabled))?.focus();
  }, [moved, list]);
  const moveBy = (index: number, delta: number) => {
    const next = move(list, index, delta);
    const item = list[index] ?? "";
    setList(next);
    setMoved({ item, up: delta < 0 });
    setNotice(`${item} is now choice ${next.indexOf(item) + 1} of ${next.length}.`);
  };
  const onAdd = (e: FormEvent) => {
    e.preventDefault();
    setList(addSubstitute(list, adding, sku));
    setAdding("");
  };
  const onSave = async () => {
    const r = await run({ input: { sku, substitutes: list } });
    if (settle({ data: r.data?.setSubstitutes, error: r.error })) setNotice(`Substitutes of ${sku} saved.`);
  };

  return (
    <div className="card">
      <h2 id="substitutes-heading">Substitutes of {sku}, most preferred first</h2>
      {list.length === 0 && (
        <p className="muted">{sku} has no substitutes: when it is out, nothing stands in.</p>
      )}
      <ol ref={listRef} aria-labelledby="substitutes-heading" className="substitutes">
        {list.map((item, i) => {
          const itemErrors = errors.byField[`substitutes.${i}`];
          return (
            <li key={item}>
              <span className="substitute-sku">{item}</span>
              {admin && (
                <span className="substitute-actions">
                  {MOVES.map(({ up, arrow }) => (
                    <button
                      key={arrow}
                      type="button"
                      className="secondary"
                      aria-label={`Move ${item} ${up ? "up" : "down"}`}
                      data-item={item}
                      data-up={String(up)}
                      disabled={up ? i === 0 : i === list.length - 1}
                      onClick={() => moveBy(i, up ? -1 : 1)}
                    >
                      {arrow}
                    </button>
                  ))}
                  <button
                    type="button"
                    className="danger"
                    aria-label={`Remove ${item}`}
                    onClick={() => setList(removeAt(list, i))}
                  >
                    Remove
                  </button>
                </span>
              )}
              {itemErrors && (
                <p className="field-error" role="alert">
                  {itemErrors.join(" ")}
                </p>
              )}
            </li>
          );
        })}
      </ol>
      {admin ? (
        <>
          <form className="toolbar" aria-label="Add a substitute" onSubmit={onAdd}>
            <Field label="Substitute SKU" errors={errors.byField["substitutes"]}>
              {(props) => <input {...props} value={adding} onChange={(e) => setAdding(e.target.value)} />}
            </Field>
            <button type="submit" className="secondary" disabled={!adding.trim()}>
              Add substitute
            </button>
          </form>
          <ErrorList messages={[...(errors.byField["sku"] ?? []), ...errors.general]} />
          <button type="button" disabled={!changed || state.fetching} onClick={() => void onSave()}>
            Save substitutes
          </button>
        </>
      ) : (
        <p className="muted">Substitution lists are set by an admin.</p>
      )}
      <p role="status" className="muted">
        {notice}
      </p>
    </div>
  );
}
