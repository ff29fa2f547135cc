import type { ReactNode } from "react";
import { NavLink } from "react-router-dom";
import type { Session } from "../auth/session";

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
  return (
    <div className="shell">
      <header className="topbar">
        <strong className="brand">Meridian</strong>
        <nav aria-label="Main">
          {session.role === "admin" && <NavLink to="/orders">Orders</NavLink>}
          {session.role === "admin" && <NavLink to="/sourcing">Sourcing rules</NavLink>}
          {stores.map((code) => (
            <NavLink key={code} to={`/store/${code}`}>
              Store {code}
            </NavLink>
          ))}
          {session.role === "admin" && <a href="/graphql">GraphiQL</a>}
        </nav>
        <span className="who">
          {session.subject} ({session.role}
          {session.locations.length > 0 ? `: ${session.locations.join(", ")}` : ""})
        </span>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main>{children}</main>
    </div>
  );
}
