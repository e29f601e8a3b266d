#!/usr/bin/env node
// Browser e2e of the dashboard in SaaS mode: a real login through a local OpenID Provider (the
// gateway suite's test issuer: auto-consent, PKCE), then bearer tokens on /api/*, a fresh
// single-use ticket for every project socket, a reload that signs in again from the refresh
// cookie alone, and logout. Starts its own stack (no sandbox: no project has to finish here).
//   node --import tsx web/e2e/saas.e2e.mjs
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startTestIssuer } from "../../workers/gateway/test/oidc-issuer.ts";
import { generatePrivateJwk } from "../../workers/gateway/src/auth/test-keys.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const OUT = path.join(ROOT, "test-artifacts");
mkdirSync(OUT, { recursive: true });

const freePort = () =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

const port = await freePort();
const BASE = `http://localhost:${port}`;
const CLIENT_ID = "proximus-dashboard-e2e";
const issuer = await startTestIssuer({ clientId: CLIENT_ID, redirectUris: [`${BASE}/auth/callback`] });
const stateDir = mkdtempSync(path.join(tmpdir(), "proximus-saas-e2e-state-"));
const dev = spawn(process.execPath, [path.join(ROOT, "scripts/dev.mjs")], {
  cwd: ROOT,
  detached: true,
  stdio: ["ignore", "ignore", "inherit"],
  env: {
    ...process.env,
    PORT: String(port),
    SANDBOX_PORT: String(await freePort()),
    PROXIMUS_STATE_DIR: stateDir,
    PROXIMUS_NO_SANDBOX: "1",
    AUTH_MODE: "saas",
    OIDC_ISSUER: issuer.url,
    OIDC_CLIENT_ID: CLIENT_ID,
    OIDC_CLIENT_SECRET: issuer.clientSecret,
    OIDC_REDIRECT_URI: `${BASE}/auth/callback`,
    JWT_PRIVATE_JWK: await generatePrivateJwk("dashboard-e2e"),
  },
});

const results = [];
const consoleErrors = [];
async function step(name, fn) {
  const started = Date.now();
  try {
    const detail = await fn();
    results.push({ name, ok: true, detail });
    console.log(`PASS ${name} (${Date.now() - started} ms)${detail ? ` — ${detail}` : ""}`);
    return true;
  } catch (err) {
    results.push({ name, ok: false, detail: err?.message ?? String(err) });
    console.log(`FAIL ${name} (${Date.now() - started} ms) — ${err?.stack ?? err}`);
    return false;
  }
}
function assert(cond, message) {
  if (!cond) throw new Error(message);
}

let context = null;
const userDataDir = mkdtempSync(path.join(tmpdir(), "proximus-saas-e2e-"));
try {
  for (let i = 0; ; i++) {
    if (dev.exitCode !== null) throw new Error(`dev server exited with ${dev.exitCode}`);
    if (i > 360) throw new Error("dev server not up after 180 s");
    // Up once the gateway serves (D1 ok); /health stays 503 here because this run has no sandbox.
    const ok = await fetch(`${BASE}/health`).then(
      async (r) => (await r.json()).d1 === true,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 500));
  }

  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-sync"],
    viewport: { width: 1280, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20_000);
  // Before a token exists, /api/me answering 401 and /auth/refresh answering 401 are how the app
  // learns it must sign in; Chrome logs each as a failed resource. Anything else is an error.
  const expected401 = /\/(api\/me|auth\/refresh)$/;
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    const url = m.location()?.url ?? "";
    if (/status of 401/.test(m.text()) && expected401.test(new URL(url || page.url()).pathname)) return;
    consoleErrors.push(`${m.text()} @ ${url || page.url()}`);
  });
  page.on("pageerror", (e) => consoleErrors.push(`pageerror: ${e.message}`));

  const apiCalls = [];
  page.on("request", (req) => {
    const u = new URL(req.url());
    if (u.origin === BASE && u.pathname.startsWith("/api/"))
      apiCalls.push({ method: req.method(), path: u.pathname + u.search, auth: req.headers().authorization ?? null });
  });
  const sockets = [];
  let cutNext = false;
  await page.routeWebSocket(/\/api\/projects\/[^/]+\/ws/, (ws) => {
    const server = ws.connectToServer();
    const cut = cutNext;
    cutNext = false;
    let n = 0;
    server.onMessage((msg) => {
      ws.send(msg);
      if (cut && JSON.parse(String(msg)).type === "event" && ++n === 3) {
        void ws.close({ code: 1012, reason: "e2e cut" }).catch(() => {});
        void server.close().catch(() => {});
      }
    });
    ws.onMessage((msg) => server.send(msg));
    sockets.push(new URL(ws.url()));
  });
  const waitLive = () => page.waitForFunction(() => document.querySelector("[data-testid=conn-status]")?.textContent === "Live");

  let projectId = "";
  const ok = await step("signed out: the login screen, and sign-in returns to the page asked for", async () => {
    await page.goto(`${BASE}/settings`);
    const signIn = page.getByRole("link", { name: "Sign in" });
    await signIn.waitFor();
    assert(
      (await signIn.getAttribute("href")) === "/auth/login?redirect=%2Fsettings",
      `sign-in link is ${await signIn.getAttribute("href")}`,
    );
    await signIn.click();
    await page.waitForURL(`${BASE}/settings`);
    await page.getByRole("heading", { name: "Provider API keys" }).waitFor();
    await page.getByRole("button", { name: "Sign out" }).waitFor();
    return (await page.locator(".who").innerText()).replace(/\s+/g, " ");
  });

  if (ok) {
    await step("every /api/* call carries a bearer token; none is kept in web storage", async () => {
      const authed = apiCalls.filter((c) => c.auth);
      const bare = apiCalls.filter((c) => !c.auth);
      assert(authed.length >= 2, `only ${authed.length} authorized API calls`);
      assert(
        authed.every((c) => /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/.test(c.auth)),
        "an Authorization header is not a bearer JWT",
      );
      // Bare calls: only the first /api/me of each page load (the login page, then the return from
      // the issuer), which is how the app finds out it needs a token.
      assert(
        bare.length === 2 && bare.every((c) => c.method === "GET" && c.path === "/api/me"),
        `calls without a token: ${bare.map((c) => c.path).join(", ")}`,
      );
      const token = authed[0].auth.slice(7);
      const stored = await page.evaluate(
        () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie,
      );
      assert(!stored.includes(token.slice(0, 20)), "the access token is in web storage or a script-readable cookie");
      return `${authed.length} authorized calls`;
    });

    await step("a project socket opens with a fresh single-use ticket, and again after a cut", async () => {
      await page.getByRole("link", { name: "Projects", exact: true }).click();
      await page.getByLabel("Business idea").fill("A tool library for a neighbourhood");
      cutNext = true;
      await page.getByRole("button", { name: "Start project" }).click();
      await page.waitForURL(/\/projects\/[^/]+$/);
      projectId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop());
      await page.waitForFunction(() => document.querySelectorAll(".feed-list[role=log] [data-seq]").length >= 3);
      for (let i = 0; i < 40 && sockets.length < 2; i++) await page.waitForTimeout(250);
      await waitLive();
      const tickets = sockets.map((u) => u.searchParams.get("ticket"));
      const posts = apiCalls.filter((c) => c.method === "POST" && c.path === `/api/projects/${projectId}/ws-ticket`);
      assert(sockets.length >= 2, `expected a reconnect after the cut; sockets: ${sockets.map(String).join(", ")}`);
      assert(
        tickets.every((t) => t && t.length >= 32),
        `a socket without a ticket: ${sockets.map(String).join(", ")}`,
      );
      assert(new Set(tickets).size === tickets.length, "a ticket was presented twice");
      assert(
        posts.length === sockets.length && posts.every((p) => p.auth),
        `${posts.length} ticket requests for ${sockets.length} sockets`,
      );
      assert(
        sockets.every((u) => u.searchParams.has("since")),
        "a socket URL lacks since",
      );
      return `${sockets.length} sockets, ${posts.length} tickets; resumed with since=${sockets[1].searchParams.get("since")}`;
    });

    await step("a reload signs in again from the refresh cookie alone", async () => {
      const before = apiCalls.length;
      await page.reload();
      await page.locator(".dag-node").first().waitFor();
      await waitLive();
      const after = apiCalls.slice(before);
      assert(after.filter((c) => c.auth).length >= 2, "no authorized calls after the reload");
      await page.screenshot({ path: path.join(OUT, "saas-project.png") });
    });

    await step("sign out shows the login screen, and a reload stays signed out", async () => {
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("link", { name: "Sign in" }).waitFor();
      await page.reload();
      await page.getByRole("link", { name: "Sign in" }).waitFor();
      await page.screenshot({ path: path.join(OUT, "saas-login.png") });
    });
  }

  await step("no console errors", async () => {
    assert(consoleErrors.length === 0, `console errors:\n  ${consoleErrors.join("\n  ")}`);
  });
} catch (err) {
  results.push({ name: "setup", ok: false, detail: err?.message ?? String(err) });
  console.log(`FAIL setup — ${err?.stack ?? err}`);
} finally {
  await context?.close().catch(() => {});
  rmSync(userDataDir, { recursive: true, force: true });
  try {
    process.kill(-dev.pid, "SIGTERM");
  } catch {
    // already gone
  }
  await new Promise((r) => setTimeout(r, 1500));
  try {
    process.kill(-dev.pid, "SIGKILL");
  } catch {
    // exited cleanly
  }
  await issuer.stop();
  rmSync(stateDir, { recursive: true, force: true });
}

const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
writeFileSync(path.join(OUT, "saas-e2e.json"), JSON.stringify({ base: BASE, results, consoleErrors }, null, 2));
if (process.env.E2E_REPORT) writeFileSync(process.env.E2E_REPORT, JSON.stringify({ numPassedTests: passed, numFailedTests: failed }));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
