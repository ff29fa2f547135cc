import type { ReactNode } from "react";
import { NavLink } from "react-router-dom";
import type { Session } from "../auth/session";
import { AsOfControl } from "./AsOfControl";
import { useAsOf } from "./asOf";
import { formatDateTime } from "./format";

export function Layout({
  session,
  onSignOut,
  children,
}: {
  session: Session;
  onSignOut: () => void;
  children: ReactNode;
}) {
  const stores = session.role === "operator" ? session.locations : [];
  const [asOf] = useAsOf();
  // The main links keep the moment: moving between screens does not jump back to now.
  const search = asOf ? `?asOf=${encodeURIComponent(asOf)}` : "";
  return (
    <div className="shell">
      <header className="topbar">
        <strong className="brand">Meridian</strong>
        <nav aria-label="Main">
          {session.role === "admin" && <NavLink to={`/orders${search}`}>Orders</NavLink>}
          <NavLink to={`/inventory${search}`}>Inventory</NavLink>
          <NavLink to={`/network${search}`}>Network</NavLink>
          {session.role === "admin" && <NavLink to="/sourcing">Sourcing rules</NavLink>}
          <NavLink to={`/delivery${stores[0] ? `/${stores[0]}` : ""}${search}`}>Delivery</NavLink>
          <NavLink to="/substitutions">Substitutions</NavLink>
          <NavLink to="/promise">Promise</NavLink>
          {session.role === "admin" && <NavLink to="/live">Live</NavLink>}
          {stores.map((code) => (
            <NavLink key={code} to={`/store/${code}`}>
              Store {code}
            </NavLink>
          ))}
          {session.role === "admin" && <NavLink to="/audit">Audit</NavLink>}
          {session.role === "admin" && <a href="/graphql">GraphiQL</a>}
        </nav>
        <AsOfControl />
        <span className="who">
          {session.subject} ({session.role}
          {session.locations.length > 0 ? `: ${session.locations.join(", ")}` : ""})
        </span>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      {asOf && (
        <p className="past-banner" role="status">
          Viewing as of {formatDateTime(asOf)}: an order page, the inventory and the delivery windows show
          that moment, their actions disabled.
        </p>
      )}
      <main>{children}</main>
    </div>
  );
}
