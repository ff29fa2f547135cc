import { useMemo, useState, type ReactNode } from "react";
import { Navigate, Route, Routes } from "react-router-dom";
import { Provider, type Client } from "urql";
import { AuditPage } from "./audit/AuditPage";
import { SignIn } from "./auth/SignIn";
import { loadSession, saveSession, type Session } from "./auth/session";
import { connect } from "./client";
import { OrderPage } from "./orders/OrderPage";
import { OrdersPage } from "./orders/OrdersPage";
import { SourcingPage } from "./sourcing/SourcingPage";
import { InventoryPage } from "./inventory/InventoryPage";
import { LivePage } from "./live/LivePage";
import { LocationPage } from "./network/LocationPage";
import { NetworkPage } from "./network/NetworkPage";
import { StorePage } from "./store/StorePage";
import { DeliveryPage } from "./delivery/DeliveryPage";
import { SubstitutionsPage } from "./substitutions/SubstitutionsPage";
import { PromisePage } from "./promise/PromisePage";
import { useAsOf } from "./ui/asOf";
import { Layout } from "./ui/Layout";

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
      </Layout>
    </Provider>
  );
}
