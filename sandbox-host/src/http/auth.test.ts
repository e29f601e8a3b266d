import { describe, expect, it } from "vitest";
import {
  CONTENT_SHA256_HEADER,
  REPLAY_WINDOW_MS,
  RunRequest,
  pathProblem,
  signRequest,
  verifyRequest,
  verifyRequestHead,
  TIMESTAMP_HEADER,
  SIGNATURE_HEADER,
  NONCE_HEADER,
} from "@proximus/contracts/sandbox";
import { RequestAuth } from "./auth";

const SECRET = "0123456789abcdef-secret";
const body = JSON.stringify({ command: ["node", "-e", "1"], runtime: "node" });

describe("HMAC signing", () => {
  it("verifies what it signed and rejects any change of body, path, method, secret or time", async () => {
    const now = 1_700_000_000_000;
    const h = await signRequest(SECRET, "POST", "/v1/runs", body, now);
    const hdr = { timestamp: h[TIMESTAMP_HEADER], nonce: h[NONCE_HEADER], signature: h[SIGNATURE_HEADER] };
    expect(await verifyRequest(SECRET, "POST", "/v1/runs", body, hdr, now)).toMatchObject({ ok: true });
    expect(await verifyRequest(SECRET, "POST", "/v1/runs", `${body} `, hdr, now)).toEqual({ ok: false, reason: "bad signature" });
    expect(await verifyRequest(SECRET, "POST", "/v1/other", body, hdr, now)).toEqual({ ok: false, reason: "bad signature" });
    expect(await verifyRequest(SECRET, "GET", "/v1/runs", body, hdr, now)).toEqual({ ok: false, reason: "bad signature" });
    expect(await verifyRequest(`${SECRET}x`, "POST", "/v1/runs", body, hdr, now)).toEqual({ ok: false, reason: "bad signature" });
    expect(await verifyRequest(SECRET, "POST", "/v1/runs", body, hdr, now + REPLAY_WINDOW_MS + 1)).toEqual({
      ok: false,
      reason: "timestamp outside the replay window",
    });
    expect(await verifyRequest(SECRET, "POST", "/v1/runs", body, { ...hdr, signature: undefined }, now)).toEqual({
      ok: false,
      reason: "missing signature headers",
    });
    expect(await verifyRequest(SECRET, "POST", "/v1/runs", body, { ...hdr, nonce: "0".repeat(32) }, now)).toEqual({
      ok: false,
      reason: "bad signature",
    });
  });

  const headOf = (h: Record<string, string>, b = body) => ({
    timestamp: h[TIMESTAMP_HEADER],
    nonce: h[NONCE_HEADER],
    signature: h[SIGNATURE_HEADER],
    contentSha256: h[CONTENT_SHA256_HEADER],
    contentLength: Buffer.byteLength(b),
  });

  it("RequestAuth accepts a signature once and refuses its replay", async () => {
    const auth = new RequestAuth(SECRET);
    const h = await signRequest(SECRET, "POST", "/v1/runs", body);
    await auth.verifyHead("POST", "/v1/runs", headOf(h));
    const again = await signRequest(SECRET, "POST", "/v1/runs", body);
    await auth.verifyHead("POST", "/v1/runs", headOf(again));
    await expect(auth.verifyHead("POST", "/v1/runs", headOf(h))).rejects.toMatchObject({
      code: "unauthorized",
      message: expect.stringMatching(/replayed/),
    });
  });

  it("the head signature binds the declared length and digest: neither can be changed", async () => {
    const h = await signRequest(SECRET, "POST", "/v1/runs", body);
    expect(await verifyRequestHead(SECRET, "POST", "/v1/runs", headOf(h))).toMatchObject({ ok: true });
    expect(await verifyRequestHead(SECRET, "POST", "/v1/runs", { ...headOf(h), contentLength: 12 * 1024 * 1024 })).toEqual({
      ok: false,
      reason: "bad signature",
    });
    expect(await verifyRequestHead(SECRET, "POST", "/v1/runs", { ...headOf(h), contentSha256: "0".repeat(64) })).toEqual({
      ok: false,
      reason: "bad signature",
    });
  });

  it("refuses a signature made before the process started (a restart forgets the seen set)", async () => {
    const started = Date.now();
    const auth = new RequestAuth(SECRET, started);
    const before = await signRequest(SECRET, "POST", "/v1/runs", body, started - 60_000);
    await expect(auth.verifyHead("POST", "/v1/runs", headOf(before), started)).rejects.toMatchObject({
      code: "unauthorized",
      message: "request signature rejected: signed before this sandbox-host started",
    });
    await auth.verifyHead("POST", "/v1/runs", headOf(await signRequest(SECRET, "POST", "/v1/runs", body, started + 1)), started + 2);
  });
});

describe("path safety", () => {
  it.each([
    ["../etc/passwd", "'..'"],
    ["a/../../b", "'..'"],
    ["/etc/passwd", "absolute"],
    ["C:/x", "absolute"],
    ["a\0b", "NUL"],
    ["a//b", "empty"],
    ["./a", "'.'"],
    ["a\\..\\b", "backslash"],
    ["", "empty"],
  ])("refuses %j", (p, why) => {
    expect(pathProblem(p)).toContain(why);
  });

  it("counts the length in UTF-8 bytes: 200 two-byte characters are 400 bytes, too long", () => {
    expect(pathProblem("é".repeat(200))).toBe("path is 400 bytes in UTF-8, longer than 255");
    expect(pathProblem("é".repeat(127))).toBeNull();
  });

  it("accepts ordinary relative paths", () => {
    for (const p of ["a.js", "src/x/y.test.mjs", ".gitignore", "node_modules/x/index.js"]) expect(pathProblem(p)).toBeNull();
  });

  it("the request schema refuses symlinks, bad paths and file/directory clashes with field paths", () => {
    const r = RunRequest.safeParse({
      runtime: "node",
      command: ["node"],
      files: [
        { path: "link", content: "/etc/passwd", type: "symlink" },
        { path: "../x", content: "" },
        { path: "a", content: "" },
        { path: "a/b", content: "" },
      ],
    });
    expect(r.success).toBe(false);
    const issues = r.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`) ?? [];
    expect(issues).toEqual(
      expect.arrayContaining([
        "files.0.type: symlinks are not accepted",
        "files.1.path: path contains '..'",
        "files: 'a/b' is inside the file 'a'",
      ]),
    );
  });
});
