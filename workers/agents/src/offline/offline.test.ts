import { describe, expect, it } from "vitest";
import { ROLES, ResultMessage, type Role } from "@proximus/contracts";
import { ROLE_DEFINITIONS } from "../roles";
import { Architecture } from "../roles/cto";
import { Prd } from "../roles/ceo";
import { devopsErrors, DevopsOutput } from "../roles/devops";
import type { EngineerResult } from "../roles/engineer";
import type { CompletionRequest } from "../llm/types";
import { entityNames, plural, projectSlug, singular } from "./entities";
import { dataModel } from "./model";
import { runOfflinePipeline } from "./pipeline";
import { OFFLINE_MODEL, OfflineProvider } from "./provider";

const IDEAS = [
  "a booking app for dog groomers",
  "A marketplace for handmade jewelry where artisans sell to collectors",
  "track invoices and expenses for freelancers",
  "app",
  "Ein Buchungssystem für Friseure 💇 — with WAITLISTS!!!",
];

function request(role: Role, idea: string, upstream: Record<string, unknown> = {}, onToken?: (d: string) => void): CompletionRequest {
  return {
    model: OFFLINE_MODEL,
    messages: [{ role: "user", content: "x".repeat(400) }],
    task: { role, idea, upstream },
    ...(onToken ? { onToken } : {}),
  };
}

describe("entity heuristic", () => {
  it("finds the nouns of the dog-groomer idea", () => {
    expect(entityNames("a booking app for dog groomers")).toEqual(["Booking", "Dog", "Groomer", "Customer"]);
  });
  it("singularises and dedupes", () => {
    expect(singular("categories")).toBe("category");
    expect(singular("classes")).toBe("class");
    expect(singular("bus")).toBe("bus");
    expect(entityNames("invoices invoices and more invoices")).toEqual(["Invoice", "Customer"]);
  });
  it("uses English plurals (pluralize), for entity and table names alike", () => {
    expect(["statuses", "people", "children", "analyses", "wolves"].map(singular)).toEqual([
      "status",
      "person",
      "child",
      "analysis",
      "wolf",
    ]);
    expect(["status", "person", "child", "order_item", "bakery"].map(plural)).toEqual([
      "statuses",
      "people",
      "children",
      "order_items",
      "bakeries",
    ]);
    expect(entityNames("track order statuses for children")).toEqual(["Order", "Status", "Child", "Customer"]);
    expect(dataModel("track order statuses for children", {}).tables.map((t) => [t.entity, t.name])).toEqual([
      ["Status", "statuses"],
      ["Child", "children"],
      ["Customer", "customers"],
      ["Order", "orders"],
    ]);
  });
  it("falls back to Item when the idea names nothing", () => {
    expect(entityNames("an app for the")).toEqual(["Item", "Customer"]);
  });
  it("makes worker-safe slugs", () => {
    for (const idea of IDEAS) expect(projectSlug(idea)).toMatch(/^[a-z0-9][a-z0-9-]{0,62}$/);
  });
});

describe("the offline provider", () => {
  it("is deterministic, labelled, streams its text and estimates tokens", async () => {
    const p = new OfflineProvider();
    const chunks: string[] = [];
    const a = await p.complete(request("ceo", IDEAS[0]!, {}, (d) => chunks.push(d)));
    const b = await p.complete(request("ceo", IDEAS[0]!));
    expect(a.text).toBe(b.text);
    expect(chunks.join("")).toBe(a.text);
    expect(chunks.length).toBeGreaterThan(1);
    expect(a.text).toContain("offline provider — no AI");
    expect(a).toMatchObject({ provider: "offline", model: OFFLINE_MODEL, inputTokens: 100, outputTokens: Math.ceil(a.text.length / 4) });
  });

  it("refuses requests without the task context instead of inventing output", async () => {
    await expect(new OfflineProvider().complete({ model: OFFLINE_MODEL, messages: [] })).rejects.toThrow(/needs req.task/);
  });

  it.each(IDEAS)("produces schema-valid output for every role: %s", async (idea) => {
    const { results } = await runOfflinePipeline(idea, { sandbox: null, roles: ROLES.filter((r) => r !== "qa") });
    for (const [role, r] of results) {
      expect(ResultMessage.parse(r)).toBeTruthy();
      expect(r.status, `${role}: ${r.error}`).toBe("succeeded");
      // The Engineers work as agents (write the files, try to run the tests — no sandbox here — finish): one metered call per step.
      expect(r.usage).toHaveLength(role === "engineer_fe" || role === "engineer_be" ? 3 : 1);
      for (const u of r.usage) expect(u).toMatchObject({ provider: "offline", costUsd: 0 });
    }
    // Each raw offline reply validates against its role's schema directly, too.
    const p = new OfflineProvider();
    const upstream = Object.fromEntries([...results].map(([k, v]) => [k, v.output]));
    for (const role of ROLES) {
      const reply = await p.complete(request(role, idea, upstream));
      const parsed = ROLE_DEFINITIONS[role].schema.safeParse(JSON.parse(reply.text));
      expect(parsed.success, `${role}: ${parsed.success ? "" : parsed.error.message}`).toBe(true);
    }
    const devops = DevopsOutput.parse(JSON.parse((await p.complete(request("devops", idea, upstream))).text));
    expect(devopsErrors(devops)).toEqual([]);
  });

  it("threads the dog-groomer entities from PRD to schema to files", async () => {
    const { results } = await runOfflinePipeline(IDEAS[0]!, { sandbox: null, roles: ["ceo", "cto", "engineer_be", "engineer_fe"] });
    const prd = Prd.parse(results.get("ceo")!.output);
    expect(prd.entities.map((e) => e.name)).toEqual(["Booking", "Dog", "Groomer", "Customer"]);
    expect(prd.features.every((f) => f.acceptanceCriteria.length > 0)).toBe(true);
    const arch = Architecture.parse(results.get("cto")!.output);
    expect(arch.dbSchema.tables.map((t) => t.name).sort()).toEqual(["bookings", "customers", "dogs", "groomers"]);
    expect(arch.api.some((e) => e.method === "POST" && e.path === "/api/bookings")).toBe(true);
    const be = results.get("engineer_be")!;
    const paths = (be.output as EngineerResult).files.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining(["src/index.js", "migrations/0001_init.sql", "wrangler.jsonc", "package.json", "test/api.test.mjs"]),
    );
    expect(be.artifacts.map((a) => a.path)).toEqual(paths);
    // Outputs carry metadata only; contents live in the artifact store.
    expect(JSON.stringify(be.output)).not.toContain("DatabaseSync");
  });

  it("mentions QA feedback when regenerating", async () => {
    const reply = await new OfflineProvider().complete({
      model: OFFLINE_MODEL,
      messages: [],
      task: { role: "engineer_be", idea: IDEAS[0]!, upstream: {}, feedback: "QA: 2 of 9 tests failed" },
    });
    expect(JSON.parse(reply.text).summary).toContain('after QA feedback ("QA: 2 of 9 tests failed")');
  });
});
