import { exports } from "cloudflare:workers";
import type { ProjectDetail } from "@proximus/contracts";

export const BASE = "http://proximus.test";

export function api(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(BASE + path, init));
}

export function postJson(path: string, body: unknown): Promise<Response> {
  return api(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export async function createProject(idea = "a booking app for dog groomers", extra: Record<string, unknown> = {}): Promise<ProjectDetail> {
  const res = await postJson("/api/projects", { idea, ...extra });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  return res.json<ProjectDetail>();
}

/** Every error response must be the envelope, and never leak a stack. */
export async function expectEnvelope(
  res: Response,
  status: number,
  code: string,
): Promise<{ code: string; message: string; details?: { field: string; message: string }[] }> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${text}`);
  if (/\n\s+at /.test(text) || text.includes(".ts:")) throw new Error(`response leaks a stack: ${text}`);
  const body = JSON.parse(text) as { error: { code: string; message: string; details?: { field: string; message: string }[] } };
  if (body.error.code !== code) throw new Error(`expected code ${code}, got ${body.error.code}`);
  return body.error;
}
