import { describe, expect, it } from "vitest";
import type { Me } from "../api/endpoints";
import { ApiError } from "../api/http";
import { startSession } from "./startup";
import { SignedOutError } from "./tokenManager";

const alice: Me = { mode: "saas", user: { id: "u1", email: "alice@example.test", name: "Alice" } };
const unauthorized = () => new ApiError(401, "unauthorized", "sign in required");

/** /api/me as the gateway answers it: local always; SaaS only with a bearer token. */
function gateway(mode: "local" | "saas", session: "valid" | "none" | "down") {
  const calls: string[] = [];
  let bearer = false;
  return {
    calls,
    deps: {
      me: async (): Promise<Me> => {
        calls.push(bearer ? "me+bearer" : "me");
        if (mode === "local") return { mode: "local", user: { id: "local", email: null, name: "Local user" } };
        if (!bearer) throw unauthorized();
        return alice;
      },
      refresh: async () => {
        calls.push("refresh");
        if (session === "none") throw new SignedOutError();
        if (session === "down") throw new ApiError(503, "unavailable", "D1 is down");
        return {};
      },
      enableSaas: () => {
        calls.push("enableSaas");
        bearer = true;
      },
    },
  };
}

describe("startSession", () => {
  it("local mode: straight in, never touches /auth", async () => {
    const g = gateway("local", "none");
    expect(await startSession(g.deps)).toMatchObject({ kind: "ok", me: { mode: "local" } });
    expect(g.calls).toEqual(["me"]);
  });

  it("SaaS with a refresh cookie: exchanges it, then asks /api/me with the bearer token", async () => {
    const g = gateway("saas", "valid");
    expect(await startSession(g.deps)).toEqual({ kind: "ok", me: alice });
    expect(g.calls).toEqual(["me", "refresh", "enableSaas", "me+bearer"]);
  });

  it("SaaS without a session: the login screen", async () => {
    const g = gateway("saas", "none");
    expect(await startSession(g.deps)).toEqual({ kind: "login" });
    expect(g.calls).toEqual(["me", "refresh"]);
  });

  it("a server error is reported, not mistaken for a logout", async () => {
    const g = gateway("saas", "down");
    expect(await startSession(g.deps)).toEqual({ kind: "error", message: "D1 is down" });
  });

  it("a SaaS answer without a user also leads to the refresh", async () => {
    const g = gateway("saas", "none");
    g.deps.me = async () => ({ mode: "saas", user: null });
    expect(await startSession(g.deps)).toEqual({ kind: "login" });
  });
});
