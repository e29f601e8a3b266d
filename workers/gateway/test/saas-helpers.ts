import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import type { ProjectDetail } from "@proximus/contracts";
import { LOGIN_COOKIE, REFRESH_COOKIE } from "../src/routes/auth";

export const ORIGIN = "http://proximus.test";

function rand() {
  return Math.floor(Math.random() * 250) + 1;
}
export const randomIp = () => `10.${rand()}.${rand()}.${rand()}`;

export function gw(pathOrUrl: string, init: RequestInit & { ip?: string } = {}): Promise<Response> {
  const { ip, ...rest } = init;
  const headers = new Headers(rest.headers);
  // Each request is its own client address unless a test names one: per-IP limits are tested on purpose only.
  if (!headers.has("cf-connecting-ip")) headers.set("cf-connecting-ip", ip ?? randomIp());
  const url = pathOrUrl.startsWith("http") ? pathOrUrl : ORIGIN + pathOrUrl;
  return exports.default.fetch(new Request(url, { ...rest, headers, redirect: "manual" }));
}

export const bearer = (token: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, ...extra });

export function withBearer(token: string, method = "GET", body?: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method,
    headers: bearer(token, body === undefined ? headers : { "content-type": "application/json", ...headers }),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  };
}

/** The raw Set-Cookie line for `name` (attributes included), or undefined. */
export function setCookieLine(res: Response, name: string): string | undefined {
  return res.headers.getSetCookie().find((l) => l.startsWith(`${name}=`));
}
export function cookieValue(res: Response, name: string): string | undefined {
  const line = setCookieLine(res, name);
  return line ? decodeURIComponent(line.slice(name.length + 1).split(";")[0]!) : undefined;
}

export interface LoginOptions {
  redirect?: string;
  /** Extra authorize parameters for the test issuer (x_tamper, x_deny). */
  idp?: Record<string, string>;
}

/** Browser-side steps of a login, up to (not including) the callback. */
export async function startLogin(account: string, opts: LoginOptions = {}) {
  const start = await gw(`/auth/login${opts.redirect === undefined ? "" : `?redirect=${encodeURIComponent(opts.redirect)}`}`);
  expect(start.status).toBe(302);
  const loginCookie = cookieValue(start, LOGIN_COOKIE);
  expect(loginCookie).toBeTruthy();
  const authorize = new URL(start.headers.get("location")!);
  authorize.searchParams.set("login_hint", account);
  for (const [k, v] of Object.entries(opts.idp ?? {})) authorize.searchParams.set(k, v);
  // The test is the browser: follow the issuer's (auto-consent) authorization endpoint.
  const idp = await fetch(authorize, { redirect: "manual" });
  expect(idp.status).toBe(302);
  return { start, authorize, loginCookie: loginCookie!, callbackUrl: idp.headers.get("location")! };
}

export function callback(callbackUrl: string, loginCookie: string | undefined) {
  return gw(callbackUrl, loginCookie ? { headers: { cookie: `${LOGIN_COOKIE}=${encodeURIComponent(loginCookie)}` } } : {});
}

export function refresh(rt: string | undefined, origin: string | null = ORIGIN, ip?: string) {
  const headers: Record<string, string> = {};
  if (rt) headers.cookie = `${REFRESH_COOKIE}=${encodeURIComponent(rt)}`;
  if (origin) headers.origin = origin;
  return gw("/auth/refresh", { method: "POST", headers, ...(ip ? { ip } : {}) });
}

export interface Session {
  accessToken: string;
  refreshToken: string;
  user: { id: string; email: string; name: string };
}

/** A full login: /auth/login → issuer → /auth/callback → /auth/refresh. */
export async function login(account: string): Promise<Session> {
  const { loginCookie, callbackUrl } = await startLogin(account);
  const cb = await callback(callbackUrl, loginCookie);
  if (cb.status !== 302) throw new Error(`callback failed: ${cb.status} ${await cb.text()}`);
  const first = cookieValue(cb, REFRESH_COOKIE)!;
  const res = await refresh(first);
  if (res.status !== 200) throw new Error(`refresh failed: ${res.status} ${await res.text()}`);
  const body = await res.json<{ accessToken: string; user: Session["user"] }>();
  return { accessToken: body.accessToken, refreshToken: cookieValue(res, REFRESH_COOKIE)!, user: body.user };
}

export async function createProjectAs(s: Session, idea = "a booking app for dog groomers"): Promise<ProjectDetail> {
  const res = await gw("/api/projects", withBearer(s.accessToken, "POST", { idea }));
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  return res.json<ProjectDetail>();
}

export async function errorOf(res: Response): Promise<{ status: number; code: string; message: string }> {
  const text = await res.text();
  if (/\n\s+at /.test(text)) throw new Error(`response leaks a stack: ${text}`);
  const body = JSON.parse(text) as { error: { code: string; message: string } };
  return { status: res.status, code: body.error.code, message: body.error.message };
}
