// The signed-in session: a bearer token and what its claims say about who holds it. The claims are read only to
// decide what to show; the API checks the signature and the role on every operation.

export type Role = "admin" | "operator" | "customer" | "service";

export interface Session {
  token: string;
  role: Role;
  subject: string;
  /** An operator's locations; empty for an admin, who sees every location. */
  locations: string[];
  expiresAt: number | null;
}

const ROLES: readonly Role[] = ["admin", "operator", "customer", "service"];
const KEY = "meridian.console.token";

function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

function decodePart(part: string): unknown {
  const base64 = part
    .replace(/-/g, "+")
    .replace(/_/g, "/")
    .padEnd(Math.ceil(part.length / 4) * 4, "=");
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

export type ReadResult = { ok: true; session: Session } | { ok: false; message: string };

/** Reads a pasted token; refuses what the console cannot use, with a message a person can act on. */
export function readToken(raw: string, nowSeconds: number): ReadResult {
  const token = raw.trim().replace(/^Bearer\s+/i, "");
  const parts = token.split(".");
  if (parts.length !== 3 || !parts[1]) {
    return { ok: false, message: "That is not a bearer token: expected three dot-separated parts." };
  }
  let claims: unknown;
  try {
    claims = decodePart(parts[1]);
  } catch {
    return { ok: false, message: "That token cannot be read: its claims are not valid JSON." };
  }
  if (typeof claims !== "object" || claims === null) {
    return { ok: false, message: "That token carries no claims." };
  }
  const record = claims as Record<string, unknown>;
  const role = record["role"];
  if (!isRole(role)) {
    return { ok: false, message: "That token names no role the console knows." };
  }
  if (role === "customer") {
    return {
      ok: false,
      message: "A customer token cannot sign in: the console is for the people who run the network.",
    };
  }
  if (role === "service") {
    return {
      ok: false,
      message: "A service token is for workers and integrations: sign in as an admin or operator.",
    };
  }
  const exp = typeof record["exp"] === "number" ? record["exp"] : null;
  if (exp !== null && exp <= nowSeconds) {
    return { ok: false, message: "That token has expired: ask for a new one (`meridian token`)." };
  }
  const locations = Array.isArray(record["locations"])
    ? record["locations"].filter((l): l is string => typeof l === "string")
    : [];
  const subject = typeof record["sub"] === "string" ? record["sub"] : role;
  return { ok: true, session: { token, role, subject, locations, expiresAt: exp } };
}

/** Whether this session may work the store screen of a location (the API decides again on every call). */
export function mayActAt(session: Session, locationCode: string): boolean {
  return session.role === "admin" || session.locations.includes(locationCode);
}

export function loadSession(nowSeconds: number): Session | null {
  const stored = sessionStorage.getItem(KEY);
  if (!stored) return null;
  const read = readToken(stored, nowSeconds);
  return read.ok ? read.session : null;
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(KEY, session.token);
  else sessionStorage.removeItem(KEY);
}

/** The development token `meridian up` puts in the console link's fragment (never sent to the server). */
export function devTokenFromFragment(hash: string): string | null {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  return params.get("devToken");
}
