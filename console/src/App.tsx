import { useMemo, useState } from "react";
import { Navigate, Route, Routes } from "react-router-dom";
import { Provider } from "urql";
import { SignIn } from "./auth/SignIn";
import { loadSession, saveSession, type Session } from "./auth/session";
import { createMeridianClient } from "./client";
import { OrderPage } from "./orders/OrderPage";
import { OrdersPage } from "./orders/OrdersPage";
import { StorePage } from "./store/StorePage";
import { Layout } from "./ui/Layout";

/** Where a session lands: admins on the orders; an operator (who may not list orders) at its first store. */
function home(session: Session): string {
  const store = session.locations[0];
  return session.role === "operator" && store ? `/store/${store}` : "/orders";
}

export function App() {
  const [session, setSession] = useState<Session | null>(() => loadSession(Date.now() / 1000));
  const client = useMemo(() => (session ? createMeridianClient(session.token) : null), [session]);

  const signIn = (next: Session) => {
    saveSession(next);
    setSession(next);
  };
  const signOut = () => {
    saveSession(null);
    setSession(null);
  };

  if (!session || !client) return <SignIn onSignedIn={signIn} />;
  return (
    <Provider value={client}>
      <Layout session={session} onSignOut={signOut}>
        <Routes>
          <Route path="/" element={<Navigate to={home(session)} replace />} />
          <Route path="/orders" element={<OrdersPage />} />
          <Route path="/orders/:id" element={<OrderPage />} />
          <Route path="/store/:code" element={<StorePage session={session} />} />
          <Route path="*" element={<p role="alert">No such page.</p>} />
        </Routes>
      </Layout>
    </Provider>
  );
}
