import { useState, type FormEvent } from "react";
import { Client, fetchExchange } from "urql";
import { graphql } from "../gql";
import { Field } from "../ui/Field";
import { devTokenFromFragment, readToken, type Session } from "./session";

const SignInCheck = graphql(`
  query SignInCheck {
    locations {
      id
      code
    }
  }
`);

/** Asks the API whether it accepts the token (its signature and lifetime are the server's to judge). */
async function confirmWithApi(session: Session): Promise<string | null> {
  const client = new Client({
    url: `${window.location.origin}/graphql`,
    exchanges: [fetchExchange],
    fetchOptions: { headers: { Authorization: `Bearer ${session.token}` } },
  });
  const result = await client.query(SignInCheck, {}, { requestPolicy: "network-only" }).toPromise();
  if (!result.error) return null;
  const status = result.error.response instanceof Response ? result.error.response.status : null;
  if (status === 401) return "The API refused this token (its signature or lifetime is not accepted).";
  return `The API could not be reached or refused the token: ${result.error.message}`;
}

export function SignIn({
  onSignedIn,
  notice = null,
}: {
  onSignedIn: (session: Session) => void;
  notice?: string | null;
}) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const devToken = devTokenFromFragment(window.location.hash);

  const attempt = async (raw: string) => {
    setError(null);
    const read = readToken(raw, Date.now() / 1000);
    if (!read.ok) {
      setError(read.message);
      return;
    }
    setBusy(true);
    const refused = await confirmWithApi(read.session);
    setBusy(false);
    if (refused) {
      setError(refused);
      return;
    }
    // The development token has done its job: take it out of the address bar and the history.
    if (window.location.hash) window.history.replaceState(null, "", window.location.pathname);
    onSignedIn(read.session);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void attempt(token);
  };

  return (
    <main className="signin">
      <h1>Sign in to the Meridian console</h1>
      {notice && <p role="status">{notice}</p>}
      <p className="muted">
        Paste a bearer token: an admin&apos;s, or an operator&apos;s for its locations (
        <code>meridian token --role operator --locations CHI</code>).
      </p>
      {devToken && (
        <p>
          <button type="button" disabled={busy} onClick={() => void attempt(devToken)}>
            Sign in with the development token
          </button>{" "}
          <span className="muted">the one `meridian up` printed</span>
        </p>
      )}
      <form onSubmit={submit} aria-label="Sign in">
        <Field label="Bearer token" errors={error ? [error] : undefined}>
          {(props) => (
            <textarea
              {...props}
              value={token}
              onChange={(e) => setToken(e.target.value)}
              spellCheck={false}
            />
          )}
        </Field>
        <button type="submit" disabled={busy || token.trim() === ""}>
          Sign in
        </button>
      </form>
    </main>
  );
}
