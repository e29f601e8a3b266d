import { z } from "zod";

/**
 * Wire contract of sandbox-host (HTTP) and the HMAC scheme both ends use.
 * Uses only WebCrypto + TextEncoder so it runs unchanged in Node and in Workers.
 */

export const SANDBOX_RUNTIMES = ["node", "python"] as const;
export const SandboxRuntime = z.enum(SANDBOX_RUNTIMES);
export type SandboxRuntime = z.infer<typeof SandboxRuntime>;

export const SANDBOX_LIMITS = {
  maxFiles: 500,
  maxPathLength: 255,
  /** Sum of decoded file sizes. */
  maxTotalFileBytes: 8 * 1024 * 1024,
  maxBodyBytes: 12 * 1024 * 1024,
  minTimeoutMs: 100,
  maxTimeoutMs: 120_000,
  defaultTimeoutMs: 10_000,
  minMemoryMb: 64,
  maxMemoryMb: 2048,
  defaultMemoryMb: 256,
  maxOutputBytes: 4 * 1024 * 1024,
  defaultOutputBytes: 256 * 1024,
  maxEgressEntries: 32,
} as const;

const utf8 = new TextEncoder();

/** Reasons a submitted path is refused; also used by sandbox-host's path checker. */
export function pathProblem(path: string): string | null {
  if (path.length === 0) return "path is empty";
  // Bytes, not UTF-16 units: the file system limits the UTF-8 encoding (a name of 255 bytes at most).
  const bytes = utf8.encode(path).length;
  if (bytes > SANDBOX_LIMITS.maxPathLength) return `path is ${bytes} bytes in UTF-8, longer than ${SANDBOX_LIMITS.maxPathLength}`;
  if (path.includes("\0")) return "path contains a NUL byte";
  if (path.startsWith("/") || path.startsWith("\\") || /^[A-Za-z]:/.test(path)) return "path is absolute";
  if (path.includes("\\")) return "path contains a backslash";
  const parts = path.split("/");
  if (parts.some((p) => p === "..")) return "path contains '..'";
  if (parts.some((p) => p === "" || p === ".")) return "path has an empty or '.' segment";
  return null;
}

export const SandboxFile = z
  .object({
    path: z.string().superRefine((p, ctx) => {
      const problem = pathProblem(p);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
    content: z.string(),
    encoding: z.enum(["utf8", "base64"]).default("utf8"),
    /** Only regular files run; the field exists so archive extractors can say "symlink" and be refused clearly. */
    type: z.enum(["file", "symlink"]).default("file"),
    executable: z.boolean().default(false),
  })
  .strict()
  .refine((f) => f.type === "file", { message: "symlinks are not accepted", path: ["type"] });
export type SandboxFile = z.infer<typeof SandboxFile>;

/** host:port, host being a DNS name or an IPv4 literal; no wildcards. */
export const EgressEntry = z
  .string()
  .regex(/^([a-z0-9]([a-z0-9-]*[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*:\d{1,5}$/i, "egress entry must be host:port")
  .refine((s) => {
    const port = Number(s.slice(s.lastIndexOf(":") + 1));
    return port >= 1 && port <= 65535;
  }, "port must be 1-65535");

export const RunRequest = z
  .object({
    files: z.array(SandboxFile).max(SANDBOX_LIMITS.maxFiles).default([]),
    command: z.array(z.string().min(1).max(4096)).min(1).max(256),
    runtime: SandboxRuntime,
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "env names must be identifiers"), z.string().max(8192)).default({}),
    timeoutMs: z.number().int().min(SANDBOX_LIMITS.minTimeoutMs).max(SANDBOX_LIMITS.maxTimeoutMs).default(SANDBOX_LIMITS.defaultTimeoutMs),
    memoryMb: z.number().int().min(SANDBOX_LIMITS.minMemoryMb).max(SANDBOX_LIMITS.maxMemoryMb).default(SANDBOX_LIMITS.defaultMemoryMb),
    maxOutputBytes: z.number().int().min(1024).max(SANDBOX_LIMITS.maxOutputBytes).default(SANDBOX_LIMITS.defaultOutputBytes),
    egress: z.array(EgressEntry).max(SANDBOX_LIMITS.maxEgressEntries).default([]),
    /** Skip execution when the AST check finds syntax errors (default) or run anyway. */
    runOnSyntaxError: z.boolean().default(false),
    stream: z.boolean().default(false),
  })
  .strict()
  .superRefine((r, ctx) => {
    const seen = new Set<string>();
    let total = 0;
    r.files.forEach((f, i) => {
      if (seen.has(f.path)) ctx.addIssue({ code: "custom", message: "duplicate path", path: ["files", i, "path"] });
      seen.add(f.path);
      total += f.encoding === "base64" ? Math.floor((f.content.length * 3) / 4) : new TextEncoder().encode(f.content).length;
    });
    // A file used as a directory of another file ("a" and "a/b") cannot both exist.
    for (const p of seen) {
      const parts = p.split("/");
      for (let k = 1; k < parts.length; k++) {
        if (seen.has(parts.slice(0, k).join("/")))
          ctx.addIssue({ code: "custom", message: `'${p}' is inside the file '${parts.slice(0, k).join("/")}'`, path: ["files"] });
      }
    }
    if (total > SANDBOX_LIMITS.maxTotalFileBytes)
      ctx.addIssue({ code: "custom", message: `files exceed ${SANDBOX_LIMITS.maxTotalFileBytes} bytes`, path: ["files"] });
  });
export type RunRequestInput = z.input<typeof RunRequest>;
export type RunRequest = z.infer<typeof RunRequest>;

export const Diagnostic = z.object({
  file: z.string(),
  line: z.number().int().positive(),
  column: z.number().int().positive(),
  message: z.string(),
  severity: z.enum(["error", "warning"]),
  /** "syntax" from the parser, "policy" from the rule set. */
  source: z.enum(["syntax", "policy"]),
  rule: z.string().optional(),
});
export type Diagnostic = z.infer<typeof Diagnostic>;

export const Isolation = z.enum(["gvisor", "bubblewrap"]);
export type Isolation = z.infer<typeof Isolation>;

/** "pids": the process limit was hit and the sandbox died of it (gVisor's ptrace platform cannot start more stubs). */
export const KilledReason = z.enum(["timeout", "memory", "output_limit", "pids"]);
export type KilledReason = z.infer<typeof KilledReason>;

/** Egress tunnels of one run (present only when the run had an allowlist). */
export const EgressCounts = z.object({
  /** Tunnels (CONNECT or proxied HTTP) that reached their target. */
  opened: z.number().int().nonnegative(),
  /** Refused by the allowlist or the address policy (403). */
  denied: z.number().int().nonnegative(),
  /** Refused because the run's or the host's tunnel cap was reached (503, or the connection dropped). */
  refusedOverCap: z.number().int().nonnegative(),
  /** Open tunnels one run may hold at once. */
  maxOpenPerRun: z.number().int().positive(),
});
export type EgressCounts = z.infer<typeof EgressCounts>;

export const RunResult = z.object({
  id: z.string(),
  /** false when syntax errors stopped the run before it started. */
  ran: z.boolean(),
  exitCode: z.number().int().nullable(),
  stdout: z.string(),
  stderr: z.string(),
  stdoutBytes: z.number().int().nonnegative(),
  stderrBytes: z.number().int().nonnegative(),
  stdoutTruncated: z.boolean(),
  stderrTruncated: z.boolean(),
  durationMs: z.number().nonnegative(),
  peakMemoryBytes: z.number().int().nonnegative().nullable(),
  killedReason: KilledReason.nullable(),
  /** The process-count limit was reached at least once (fork bombs). */
  pidsLimitHit: z.boolean(),
  isolation: Isolation,
  /** Explains a weaker isolation so no caller can miss it. */
  isolationWarning: z.string().nullable(),
  warm: z.boolean(),
  diagnostics: z.array(Diagnostic),
  /** Trace id of the caller's `traceparent` header, echoed so both ends can be matched up. */
  traceId: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .optional(),
  egress: EgressCounts.optional(),
});
export type RunResult = z.infer<typeof RunResult>;

/** NDJSON lines of a streamed run (`stream: true`). */
export const RunStreamEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("diagnostics"), diagnostics: z.array(Diagnostic) }),
  z.object({ type: z.literal("stdout"), data: z.string() }),
  z.object({ type: z.literal("stderr"), data: z.string() }),
  z.object({ type: z.literal("result"), result: RunResult }),
  z.object({ type: z.literal("error"), error: z.object({ code: z.string(), message: z.string() }) }),
]);
export type RunStreamEvent = z.infer<typeof RunStreamEvent>;

export const SandboxHealth = z.object({
  ok: z.boolean(),
  isolation: Isolation,
  isolationWarning: z.string().nullable(),
  platform: z.string(),
  /** What `node` and `python3` are inside every sandbox, e.g. {node: "v22.13.1", python: "3.11.2"}. */
  runtimes: z.object({ node: z.string(), python: z.string() }),
  pool: z.object({ ready: z.number().int(), target: z.number().int() }),
  running: z.number().int(),
  queued: z.number().int(),
  maxConcurrent: z.number().int(),
  maxQueue: z.number().int(),
});
export type SandboxHealth = z.infer<typeof SandboxHealth>;

// ---- HMAC ----

export const SIGNATURE_HEADER = "x-proximus-signature";
export const TIMESTAMP_HEADER = "x-proximus-timestamp";
/** Random per request, so two identical bodies sent in the same millisecond are not mistaken for a replay. */
export const NONCE_HEADER = "x-proximus-nonce";
/** Hex SHA-256 of the body bytes; signed, so the host can check the signature before it reads the body. */
export const CONTENT_SHA256_HEADER = "x-proximus-content-sha256";
export const REPLAY_WINDOW_MS = 5 * 60 * 1000;

const enc = new TextEncoder();

function toHex(buf: ArrayBuffer): string {
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
}

function hmacKey(secret: string): ReturnType<typeof crypto.subtle.importKey> {
  return crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", bytes));
}

/**
 * The signed string binds method, path, time, the body's byte length and its digest. Length and digest
 * travel in headers (`content-length`, CONTENT_SHA256_HEADER), so the signature is checked before a
 * single body byte is read; the body is then hashed as it streams in and must match the digest.
 */
function canonical(method: string, path: string, timestamp: string, nonce: string, contentLength: number, contentSha256: string): string {
  return `pxsb-v2\n${timestamp}\n${nonce}\n${method.toUpperCase()}\n${path}\n${contentLength}\n${contentSha256}`;
}

export async function signRequest(
  secret: string,
  method: string,
  path: string,
  body: string,
  now = Date.now(),
): Promise<Record<string, string>> {
  const timestamp = String(now);
  const nonce = toHex(crypto.getRandomValues(new Uint8Array(16)).buffer);
  const bytes = enc.encode(body);
  const digest = await sha256Hex(bytes);
  const signed = canonical(method, path, timestamp, nonce, bytes.length, digest);
  const sig = await crypto.subtle.sign("HMAC", await hmacKey(secret), enc.encode(signed));
  return { [TIMESTAMP_HEADER]: timestamp, [NONCE_HEADER]: nonce, [CONTENT_SHA256_HEADER]: digest, [SIGNATURE_HEADER]: toHex(sig) };
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export type VerifyOutcome = { ok: true; signature: string } | { ok: false; reason: string };

export type SignedHead = {
  timestamp: string | null | undefined;
  nonce: string | null | undefined;
  signature: string | null | undefined;
  /** The declared `content-length`. */
  contentLength: number;
  contentSha256: string | null | undefined;
};

/**
 * Checks the signature over the request head (declared length and digest included) and the clock
 * window, without the body; replay of an identical signature is the caller's job (it keeps the seen set).
 */
export async function verifyRequestHead(
  secret: string,
  method: string,
  path: string,
  head: SignedHead,
  now = Date.now(),
): Promise<VerifyOutcome> {
  const { timestamp, nonce, signature, contentSha256, contentLength } = head;
  if (!timestamp || !nonce || !signature || !contentSha256) return { ok: false, reason: "missing signature headers" };
  if (!/^[0-9a-f]{16,64}$/.test(nonce)) return { ok: false, reason: "malformed nonce" };
  if (!/^\d{1,16}$/.test(timestamp)) return { ok: false, reason: "malformed timestamp" };
  if (!/^[0-9a-f]{64}$/.test(contentSha256)) return { ok: false, reason: "malformed content digest" };
  if (Math.abs(now - Number(timestamp)) > REPLAY_WINDOW_MS) return { ok: false, reason: "timestamp outside the replay window" };
  const signed = canonical(method, path, timestamp, nonce, contentLength, contentSha256);
  const expected = toHex(await crypto.subtle.sign("HMAC", await hmacKey(secret), enc.encode(signed)));
  if (!constantTimeEqual(expected, signature.toLowerCase())) return { ok: false, reason: "bad signature" };
  return { ok: true, signature: expected };
}

/** Head and body at once (for servers that already hold the body, e.g. test doubles of sandbox-host). */
export async function verifyRequest(
  secret: string,
  method: string,
  path: string,
  body: string,
  headers: { timestamp: string | null | undefined; nonce: string | null | undefined; signature: string | null | undefined },
  now = Date.now(),
): Promise<VerifyOutcome> {
  const bytes = enc.encode(body);
  return verifyRequestHead(secret, method, path, { ...headers, contentLength: bytes.length, contentSha256: await sha256Hex(bytes) }, now);
}
