import { describe, expect, it } from "vitest";
import { ArtifactRef } from "@proximus/contracts";
import { memoryArtifactStore, r2ArtifactStore, sha256Hex } from "./artifacts";

describe("sha256Hex", () => {
  it("matches the FIPS 180-2 test vector", async () => {
    expect(await sha256Hex(new TextEncoder().encode("abc"))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});

describe("memoryArtifactStore", () => {
  it("stores under prefix + path and describes the bytes", async () => {
    const store = memoryArtifactStore("p1/t1/1/");
    const ref = await store.put("src/index.js", "export default {}");
    expect(ArtifactRef.parse(ref)).toEqual(ref);
    expect(ref).toMatchObject({ path: "src/index.js", key: "p1/t1/1/src/index.js", bytes: 17, contentType: "text/javascript" });
    expect(ref.sha256).toBe(await sha256Hex(new TextEncoder().encode("export default {}")));
    expect(new TextDecoder().decode((await store.get(ref.key))!)).toBe("export default {}");
    expect(await store.get("p1/t1/1/missing")).toBeNull();
  });

  it("lets one task read another task's keys through a shared map", async () => {
    const shared = new Map<string, Uint8Array>();
    const ref = await memoryArtifactStore("a/", shared).put("x.txt", new Uint8Array([1, 2, 3]), "application/octet-stream");
    expect(await memoryArtifactStore("b/", shared).get(ref.key)).toEqual(new Uint8Array([1, 2, 3]));
    expect(ref.contentType).toBe("application/octet-stream");
  });
});

describe("r2ArtifactStore", () => {
  it("puts bytes with the checksum and content type, and reads them back", async () => {
    const objects = new Map<string, { bytes: Uint8Array; options: R2PutOptions | undefined }>();
    const bucket = {
      async put(key: string, value: Uint8Array, options?: R2PutOptions) {
        objects.set(key, { bytes: value, options });
        return null;
      },
      async get(key: string) {
        const o = objects.get(key);
        return o ? { arrayBuffer: async () => o.bytes.slice().buffer } : null;
      },
    } as unknown as R2Bucket;
    const store = r2ArtifactStore(bucket, "projects/p/tasks/t/2/");
    const ref = await store.put("migrations/0001_init.sql", "CREATE TABLE t (id INTEGER);");
    expect(ref.key).toBe("projects/p/tasks/t/2/migrations/0001_init.sql");
    const saved = objects.get(ref.key);
    expect(saved?.options?.sha256).toBe(ref.sha256);
    expect(saved?.options?.httpMetadata).toEqual({ contentType: "application/sql" });
    expect(new TextDecoder().decode((await store.get(ref.key))!)).toBe("CREATE TABLE t (id INTEGER);");
    expect(await store.get("nope")).toBeNull();
  });
});
