import { lazy, Suspense, useMemo, useState, type ReactNode } from "react";
import { Navigate, Route, Routes } from "react-router-dom";
import { Provider, type Client } from "urql";
import { SignIn } from "./auth/SignIn";
import { loadSession, saveSession, type Session } from "./auth/session";
import { connect } from "./client";
import { OrderPage } from "./orders/OrderPage";
import { OrdersPage } from "./orders/OrdersPage";
import { InventoryPage } from "./inventory/InventoryPage";
import { StorePage } from "./store/StorePage";
import { useAsOf } from "./ui/asOf";
import { Layout } from "./ui/Layout";

// The screens a person opens now and then load on first use (their charts, map and forms stay out of the first
// visit's bundle: scripts/budget.mjs); orders, an order, inventory and a store are in it, for speed.
const AuditPage = lazy(() => import("./audit/AuditPage").then((m) => ({ default: m.AuditPage })));
const SourcingPage = lazy(() => import("./sourcing/SourcingPage").then((m) => ({ default: m.SourcingPage })));
const LivePage = lazy(() => import("./live/LivePage").then((m) => ({ default: m.LivePage })));
const LocationPage = lazy(() => import("./network/LocationPage").then((m) => ({ default: m.LocationPage })));
const NetworkPage = lazy(() => import("./network/NetworkPage").then((m) => ({ default: m.NetworkPage })));
const DeliveryPage = lazy(() => import("./delivery/DeliveryPage").then((m) => ({ default: m.DeliveryPage })));
const SubstitutionsPage = lazy(() =>
  import("./substitutions/SubstitutionsPage").then((m) => ({ default: m.SubstitutionsPage })),
);
const PromisePage = lazy(() => import("./promise/PromisePage").then((m) => ({ default: m.PromisePage })));

/** Where a session lands: admins on the orders; an operator (who may not list orders) at its first store. */
function home(session: Session): string {
  const store = session.locations[0];
  return session.role === "operator" && store ? `/store/${store}` : "/orders";
}

/** The past is read through a client without the normalized cache (see `connect`). */
function TimeAware({ past, children }: { past: Client; children: ReactNode }) {
  const [asOf] = useAsOf();
  return asOf ? <Provider value={past}>{children}</Provider> : <>{children}</>;
}

export function App() {
  const [session, setSession] = useState<Session | null>(() => loadSession(Date.now() / 1000));
  const [notice, setNotice] = useState<string | null>(null);
  const connection = useMemo(
    () =>
      session
        ? connect(session.token, () => {
            saveSession(null);
            setSession(null);
            setNotice("The API no longer accepts your token (expired or revoked): sign in again.");
          })
        : null,
    [session],
  );

  const signIn = (next: Session) => {
    saveSession(next);
    setNotice(null);
    setSession(next);
  };
  const signOut = () => {
    connection?.close();
    saveSession(null);
    setSession(null);
  };

  if (!session || !connection) return <SignIn onSignedIn={signIn} notice={notice} />;
  // Only the screens that can rewind read through the past client; the others stay live whatever the moment.
  const past = (screen: ReactNode) => <TimeAware past={connection.past}>{screen}</TimeAware>;
  return (
    <Provider value={connection.client}>
      <Layout session={session} onSignOut={signOut}>
        <Suspense fallback={<p aria-busy="true">Loading…</p>}>
          <Routes>
            <Route path="/" element={<Navigate to={home(session)} replace />} />
            <Route path="/orders" element={<OrdersPage />} />
            <Route path="/orders/:id" element={past(<OrderPage />)} />
            <Route path="/inventory" element={past(<InventoryPage />)} />
            <Route path="/inventory/:sku" element={past(<InventoryPage />)} />
            <Route path="/network" element={past(<NetworkPage />)} />
            <Route path="/network/:code" element={<LocationPage />} />
            <Route path="/sourcing" element={<SourcingPage session={session} />} />
            <Route path="/store/:code" element={<StorePage session={session} />} />
            <Route path="/delivery" element={past(<DeliveryPage session={session} />)} />
            <Route path="/delivery/:code" element={past(<DeliveryPage session={session} />)} />
            <Route path="/substitutions" element={<SubstitutionsPage session={session} />} />
            <Route path="/substitutions/:sku" element={<SubstitutionsPage session={session} />} />
            <Route path="/promise" element={<PromisePage />} />
            <Route path="/live" element={<LivePage session={session} />} />
            <Route path="/audit" element={<AuditPage />} />
            <Route path="*" element={<p role="alert">No such page.</p>} />
          </Routes>
        </Suspense>
      </Layout>
    </Provider>
  );
}
