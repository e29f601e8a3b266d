import { describe, expect, it } from "vitest";
import { KafkaRestBus, type KafkaRestFlavor } from "./kafka-rest";

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * The exact requests each flavor sends, recorded at the fetch boundary. The servers' answers are
 * the minimal v2 shapes; the behaviour against real servers is in the contract suites.
 */
function recorder(baseUri: string): { seen: Seen[]; fetch: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response> } {
  const seen: Seen[] = [];
  return {
    seen,
    fetch: async (input, init) => {
      const req = new Request(input, init);
      const text = await req.text();
      const body = text ? (JSON.parse(text) as unknown) : undefined;
      seen.push({ method: req.method, url: req.url, headers: Object.fromEntries(req.headers), body });
      if (req.method === "POST" && /\/consumers\/[^/]+$/.test(new URL(req.url).pathname)) {
        return Response.json({ instance_id: "i1", base_uri: baseUri });
      }
      if (req.method === "GET") return Response.json([{ topic: "t", key: "k", value: 1, partition: 2, offset: 41 }]);
      return new Response(null, { status: 204 });
    },
  };
}

async function roundTrip(flavor: KafkaRestFlavor, baseUri = "http://node-2.proxy:8082/consumers/g/instances/i1"): Promise<Seen[]> {
  const r = recorder(baseUri);
  const bus = new KafkaRestBus({ baseUrl: "http://lb.proxy:8082", flavor, fetch: r.fetch, consumerRequestTimeoutMs: 5000 });
  const c = await bus.create({ group: "g", topics: ["t"] });
  const records = await c.poll(1, 100);
  await c.commit(records);
  await c.close();
  return r.seen;
}

describe("KafkaRestBus wire shapes per flavor", () => {
  it("creates instances only with fields the flavor's server accepts, never session.timeout.ms", async () => {
    const bodies = Object.fromEntries(
      await Promise.all((["confluent", "karapace", "redpanda", "strimzi"] as const).map(async (f) => [f, (await roundTrip(f))[0]!.body])),
    );
    const common = { format: "json", "auto.offset.reset": "earliest", name: expect.any(String) };
    const v2 = { ...common, "auto.commit.enable": "false", "consumer.request.timeout.ms": "5000" };
    expect(bodies.confluent).toEqual({ ...v2, "fetch.min.bytes": 1 });
    expect(bodies.karapace).toEqual(v2);
    // Redpanda: string values only.
    expect(Object.values(bodies.redpanda as object).every((v) => typeof v === "string")).toBe(true);
    expect(bodies.strimzi).toEqual({ ...common, "enable.auto.commit": false, "consumer.request.timeout.ms": 5000 });
    for (const b of Object.values(bodies)) expect(b).not.toHaveProperty("session.timeout.ms");
  });

  it("sends every instance request to base_uri with a v2 Content-Type, DELETE included; no max_records", async () => {
    const seen = await roundTrip("redpanda");
    expect(seen.map((s) => `${s.method} ${s.url.replace(/\?.*/, "")}`)).toEqual([
      "POST http://lb.proxy:8082/consumers/g",
      "POST http://node-2.proxy:8082/consumers/g/instances/i1/subscription",
      "GET http://node-2.proxy:8082/consumers/g/instances/i1/records",
      "POST http://node-2.proxy:8082/consumers/g/instances/i1/offsets",
      "DELETE http://node-2.proxy:8082/consumers/g/instances/i1",
    ]);
    for (const s of seen) expect(s.headers["content-type"]).toBe("application/vnd.kafka.v2+json");
    expect(seen[2]!.url).not.toContain("max_records");
    expect(seen[2]!.headers.accept).toBe("application/vnd.kafka.json.v2+json");
  });

  it("resolves a relative base_uri (Karapace without rest_base_uri) against the URL", async () => {
    const seen = await roundTrip("karapace", "consumers/g/instances/i1");
    expect(seen[1]!.url).toBe("http://lb.proxy:8082/consumers/g/instances/i1/subscription");
  });

  it("commits the last processed offset to Confluent and Karapace, the next one to Redpanda and Strimzi", async () => {
    const committed = async (f: KafkaRestFlavor): Promise<unknown> => (await roundTrip(f))[3]!.body;
    const at = (offset: number): unknown => ({ offsets: [{ topic: "t", partition: 2, offset }] });
    expect(await committed("confluent")).toEqual(at(41));
    expect(await committed("karapace")).toEqual(at(41));
    expect(await committed("redpanda")).toEqual(at(42));
    expect(await committed("strimzi")).toEqual(at(42));
  });
});
