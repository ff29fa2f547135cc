import { useSearchParams } from "react-router-dom";

/** Keyset pages kept in the URL: one `?after=` per page turned, so a page can be linked to and Back works. */
export function useCursorTrail(): {
  after: string | null;
  trail: string[];
  turn: (cursor: string | null) => void;
} {
  const [params, setParams] = useSearchParams();
  const trail = params.getAll("after");
  const turn = (cursor: string | null) => {
    const next = new URLSearchParams(params);
    next.delete("after");
    (cursor ? [...trail, cursor] : trail.slice(0, -1)).forEach((c) => next.append("after", c));
    setParams(next);
  };
  return { after: trail[trail.length - 1] ?? null, trail, turn };
}

/** Previous and next page, from a connection's pageInfo; `turn(null)` goes back one page. */
export function Pager({
  trail,
  pageInfo,
  turn,
}: {
  trail: string[];
  pageInfo: { hasNextPage: boolean; endCursor?: string | null } | undefined;
  turn: (cursor: string | null) => void;
}) {
  return (
    <div className="toolbar">
      <button type="button" className="secondary" disabled={trail.length === 0} onClick={() => turn(null)}>
        Previous page
      </button>
      <button
        type="button"
        className="secondary"
        disabled={!pageInfo?.hasNextPage}
        onClick={() => turn(pageInfo?.endCursor ?? null)}
      >
        Next page
      </button>
    </div>
  );
}
