import { describe, expect, it } from "vitest";
import { REPLAY_WINDOW_MS, RunRequest, pathProblem, signRequest, verifyRequest, TIMESTAMP_HEADER, SIGNATURE_HEADER, NONCE_HEADER } from "../../../contracts/sandbox";
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
    expect(await verifyRequest(SECRET, "POST", "/v1/runs", body, hdr, now + REPLAY_WINDOW_MS + 1)).toEqual({ ok: false, reason: "timestamp outside the replay window" });
    expect(await verifyRequest(SECRET, "POST", "/v1/runs", body, { ...hdr, signature: undefined }, now)).toEqual({ ok: false, reason: "missing signature headers" });
    expect(await verifyRequest(SECRET, "POST", "/v1/runs", body, { ...hdr, nonce: "0".repeat(32) }, now)).toEqual({ ok: false, reason: "bad signature" });
  });

  it("RequestAuth accepts a signature once and refuses its replay", async () => {
    const auth = new RequestAuth(SECRET);
    const h = await signRequest(SECRET, "POST", "/v1/runs", body);
    const hdr = { timestamp: h[TIMESTAMP_HEADER], nonce: h[NONCE_HEADER], signature: h[SIGNATURE_HEADER] };
    await auth.verify("POST", "/v1/runs", body, hdr);
    const again = await signRequest(SECRET, "POST", "/v1/runs", body);
    await auth.verify("POST", "/v1/runs", body, { timestamp: again[TIMESTAMP_HEADER], nonce: again[NONCE_HEADER], signature: again[SIGNATURE_HEADER] });
    await expect(auth.verify("POST", "/v1/runs", body, hdr)).rejects.toMatchObject({ code: "unauthorized", message: expect.stringMatching(/replayed/) });
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
    expect(issues).toEqual(expect.arrayContaining(["files.0.type: symlinks are not accepted", "files.1.path: path contains '..'", "files: 'a/b' is inside the file 'a'"]));
  });
});
