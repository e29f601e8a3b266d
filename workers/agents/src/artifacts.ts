import type { ArtifactRef } from "@proximus/contracts";
import { sha256Hex } from "@proximus/shared/sha256";
import type { ArtifactStore } from "./runtime";

const encoder = new TextEncoder();

export { sha256Hex } from "@proximus/shared/sha256";

export function toBytes(body: string | Uint8Array): Uint8Array {
  return typeof body === "string" ? encoder.encode(body) : body;
}

/** Default content types by extension; R2 serves them back on download. */
export function guessContentType(path: string): string {
  const ext = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
  const types: Record<string, string> = {
    js: "text/javascript",
    mjs: "text/javascript",
    ts: "text/typescript",
    json: "application/json",
    jsonc: "application/json",
    html: "text/html",
    css: "text/css",
    md: "text/markdown",
    sql: "application/sql",
    tf: "text/plain",
    toml: "application/toml",
    yaml: "application/yaml",
    yml: "application/yaml",
    py: "text/x-python",
  };
  return types[ext] ?? "text/plain";
}

async function describe(key: string, path: string, bytes: Uint8Array, contentType: string | undefined): Promise<ArtifactRef> {
  return { path, key, bytes: bytes.byteLength, sha256: await sha256Hex(bytes), contentType: contentType ?? guessContentType(path) };
}

/** Artifacts in R2. `prefix` scopes the store to one project/task/attempt; `get` takes full keys so upstream artifacts can be read. */
export function r2ArtifactStore(bucket: R2Bucket, prefix: string): ArtifactStore {
  return {
    async put(path, body, contentType) {
      const bytes = toBytes(body);
      const ref = await describe(prefix + path, path, bytes, contentType);
      await bucket.put(ref.key, bytes, {
        httpMetadata: { contentType: ref.contentType },
        sha256: ref.sha256,
      });
      return ref;
    },
    async get(key) {
      const obj = await bucket.get(key);
      return obj ? new Uint8Array(await obj.arrayBuffer()) : null;
    },
  };
}

/** Same contract held in a Map: for tests and for local runs without R2. */
export function memoryArtifactStore(
  prefix = "",
  shared: Map<string, Uint8Array> = new Map(),
): ArtifactStore & { objects: Map<string, Uint8Array> } {
  return {
    objects: shared,
    async put(path, body, contentType) {
      // Copy so later mutation of the caller's buffer cannot change what was "stored".
      const bytes = toBytes(body).slice();
      const ref = await describe(prefix + path, path, bytes, contentType);
      shared.set(ref.key, bytes);
      return ref;
    },
    async get(key) {
      const bytes = shared.get(key);
      return bytes ? bytes.slice() : null;
    },
  };
}
