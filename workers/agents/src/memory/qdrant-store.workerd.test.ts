import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { memoryFromEnv } from "./from-env";
import { QdrantProjectMemory } from "./qdrant-store";

/** The same adapter in the production runtime (workerd picks the client's browser build, no undici). */
describe("QdrantProjectMemory in workerd", () => {
  it("creates the collection, stores and recalls per project over HTTP", async () => {
    const url = (env as unknown as { QDRANT_URL: string }).QDRANT_URL;
    const cfg = (projectId: string) =>
      memoryFromEnv({ MEMORY_BACKEND: "qdrant", QDRANT_URL: url, QDRANT_COLLECTION: "workerd_memory" }, projectId, undefined);
    const a = cfg("pA");
    expect(a).toBeInstanceOf(QdrantProjectMemory);
    await a!.remember([
      { id: "cto:decisions", kind: "decision", taskId: "cto", text: "Stack: database = D1 with tables for bookings" },
      { id: "ceo:summary", kind: "summary", taskId: "ceo", text: "Product: grooming salon marketing site" },
    ]);
    await cfg("pB")!.remember([
      { id: "cto:decisions", kind: "decision", taskId: "cto", text: "Stack: database = Postgres with tables for bookings" },
    ]);
    const hits = await cfg("pA")!.recall("bookings database tables", 5);
    expect(hits[0]).toMatchObject({ id: "cto:decisions", kind: "decision", text: "Stack: database = D1 with tables for bookings" });
    expect(hits.map((h) => h.text).join("\n")).not.toContain("Postgres");
  });
});
