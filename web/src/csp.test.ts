import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DASHBOARD_HEADERS_FILE } from "../../workers/gateway/src/auth/csp";

const read = (rel: string) => readFileSync(new URL(rel, import.meta.url), "utf8");

describe("dashboard CSP", () => {
  it("web/public/_headers is exactly the gateway's DASHBOARD_HEADERS_FILE", () => {
    // Static assets bypass the Worker, so this file is the only place their CSP comes from.
    expect(read("../public/_headers")).toBe(DASHBOARD_HEADERS_FILE);
  });

  it("index.html has no inline script (script-src 'self' would block it)", () => {
    const html = read("../index.html");
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\bsrc=/);
      expect(body?.trim()).toBe("");
    }
    expect(html).not.toMatch(/\son[a-z]+=/i);
  });
});
