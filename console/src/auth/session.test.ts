import { describe, expect, it } from "vitest";
import { devTokenFromFragment, mayActAt, readToken } from "./session";

function token(claims: Record<string, unknown>): string {
  const part = (o: unknown) =>
    btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${part({ alg: "HS256", typ: "JWT" })}.${part(claims)}.signature`;
}

describe("readToken", () => {
  it("reads an admin token, with or without the Bearer prefix", () => {
    const raw = token({ role: "admin", sub: "developer", exp: 2000 });
    for (const pasted of [raw, `Bearer ${raw}`, `  ${raw}\n`]) {
      const read = readToken(pasted, 1000);
      expect(read).toEqual({
        ok: true,
        session: { token: raw, role: "admin", subject: "developer", locations: [], expiresAt: 2000 },
      });
    }
  });

  it("keeps an operator's locations", () => {
    const read = readToken(token({ role: "operator", locations: ["CHI", "NWK"] }), 0);
    expect(read.ok && read.session.locations).toEqual(["CHI", "NWK"]);
  });

  it("refuses a customer token with a message saying why", () => {
    const read = readToken(token({ role: "customer", customer_id: "c1" }), 0);
    expect(read).toEqual({ ok: false, message: expect.stringContaining("customer token cannot sign in") });
  });

  it("refuses a service token, an expired token and what is not a token", () => {
    expect(readToken(token({ role: "service" }), 0).ok).toBe(false);
    expect(readToken(token({ role: "admin", exp: 10 }), 10)).toEqual({
      ok: false,
      message: expect.stringContaining("expired"),
    });
    expect(readToken("not a token", 0).ok).toBe(false);
    expect(readToken("a.%%%.c", 0).ok).toBe(false);
    expect(readToken(token({ role: "root" }), 0).ok).toBe(false);
  });
});

describe("mayActAt", () => {
  it("lets an admin act anywhere and an operator only at its locations", () => {
    const operator = {
      token: "t",
      role: "operator",
      subject: "o",
      locations: ["CHI"],
      expiresAt: null,
    } as const;
    expect(mayActAt({ ...operator, locations: [...operator.locations] }, "CHI")).toBe(true);
    expect(mayActAt({ ...operator, locations: [...operator.locations] }, "NWK")).toBe(false);
    expect(mayActAt({ ...operator, role: "admin", locations: [] }, "NWK")).toBe(true);
  });
});

describe("devTokenFromFragment", () => {
  it("finds the development token `meridian up` puts after the #", () => {
    expect(devTokenFromFragment("#devToken=abc.def.ghi")).toBe("abc.def.ghi");
    expect(devTokenFromFragment("")).toBeNull();
  });
});
