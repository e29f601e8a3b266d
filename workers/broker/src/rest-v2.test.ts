import { describe, expect, it } from "vitest";
import { brokerFetch } from "../test/harness";

const AUTH = `Basic ${btoa("dev:secret")}`;
const JSON_V2 = "application/vnd.kafka.json.v2+json";
const V2 = "application/vnd.kafka.v2+json";

function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return brokerFetch(`http://broker.test${path}`, {
    method,
    headers: { authorization: AUTH, "content-type": V2, ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

describe("dev broker: REST Proxy v2 wire protocol", () => {
  it("rejects missing or wrong Basic credentials with a REST Proxy error body", async () => {
    const res = await brokerFetch("http://broker.test/topics");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain("Basic");
    expect(await res.json()).toEqual({ error_code: 40101, message: expect.any(String) });
    const wrong = await brokerFetch("http://broker.test/topics", { headers: { authorization: `Basic ${btoa("dev:nope")}` } });
    expect(wrong.status).toBe(401);
  });

  it("produces with keyed partitioning and reports offsets; lists and describes topics", async () => {
    const res = await call(
      "POST",
      "/topics/v2-produce",
      {
        records: [
          { key: "k1", value: { n: 1 } },
          { key: "k1", value: { n: 2 } },
          { value: "x", partition: 3 },
        ],
      },
      { "content-type": JSON_V2 },
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { offsets: { partition: number; offset: number }[] };
    expect(body.offsets).toHaveLength(3);
    expect(body.offsets[0]!.partition).toBe(body.offsets[1]!.partition);
    expect(body.offsets[1]!.offset).toBe(body.offsets[0]!.offset + 1);
    expect(body.offsets[2]).toMatchObject({ partition: 3, offset: 0 });

    expect(await (await call("GET", "/topics")).json()).toContain("v2-produce");
    const topic = (await (await call("GET", "/topics/v2-produce")).json()) as { name: string; partitions: unknown[] };
    expect(topic.name).toBe("v2-produce");
    expect(topic.partitions).toHaveLength(8); // BROKER_PARTITIONS
  });

  it("answers unknown topics, partitions and instances with REST Proxy error codes", async () => {
    const t = await call("GET", "/topics/never-made");
    expect(t.status).toBe(404);
    expect(await t.json()).toMatchObject({ error_code: 40401 });
    const p = await call("POST", "/topics/v2-errs", { records: [{ value: 1, partition: 99 }] }, { "content-type": JSON_V2 });
    expect(p.status).toBe(404);
    expect(await p.json()).toMatchObject({ error_code: 40402 });
    const i = await call("GET", "/consumers/g/instances/nobody/records", undefined, { accept: JSON_V2 });
    expect(i.status).toBe(404);
    expect(await i.json()).toMatchObject({ error_code: 40403 });
    const bad = await call("POST", "/topics/v2-errs", { records: [] }, { "content-type": JSON_V2 });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ error_code: 42201 });
    const ct = await call("POST", "/topics/v2-errs", { records: [{ value: 1 }] }, { "content-type": "text/plain" });
    expect(ct.status).toBe(415);
  });

  it("runs the consumer instance lifecycle at its base_uri: create, subscribe, records, commit (+1), committed, delete", async () => {
    await call(
      "POST",
      "/topics/v2-life",
      {
        records: [
          { value: { a: 1 }, partition: 0 },
          { value: { a: 2 }, partition: 0 },
        ],
      },
      { "content-type": JSON_V2 },
    );
    const created = await call("POST", "/consumers/life", {
      name: "m1",
      format: "json",
      "auto.offset.reset": "earliest",
      "auto.commit.enable": "false",
    });
    expect(created.status).toBe(200);
    const { instance_id, base_uri } = (await created.json()) as { instance_id: string; base_uri: string };
    expect(instance_id).toBe("m1");
    // BROKER_NODES=2 in the test config: the instance lives on one node, named in base_uri.
    const m = /^http:\/\/broker\.test(\/nodes\/[01])\/consumers\/life\/instances\/m1$/.exec(base_uri);
    expect(m).not.toBeNull();
    const at = `${m![1]}/consumers/life/instances/m1`;
    const dup = await call("POST", "/consumers/life", { name: "m1", format: "json" });
    expect(dup.status).toBe(409);
    expect(await dup.json()).toMatchObject({ error_code: 40902 });

    expect((await call("POST", `${at}/subscription`, { topics: ["v2-life"] })).status).toBe(204);
    expect(await (await call("GET", `${at}/subscription`)).json()).toEqual({ topics: ["v2-life"] });
    const recs = await call("GET", `${at}/records?timeout=100`, undefined, { accept: JSON_V2 });
    expect(recs.headers.get("content-type")).toBe(JSON_V2);
    expect(await recs.json()).toEqual([
      { topic: "v2-life", key: null, value: { a: 1 }, partition: 0, offset: 0 },
      { topic: "v2-life", key: null, value: { a: 2 }, partition: 0, offset: 1 },
    ]);
    expect((await call("POST", `${at}/offsets`, { offsets: [{ topic: "v2-life", partition: 0, offset: 0 }] })).status).toBe(200);
    const committed = (await (await call("GET", `${at}/offsets`)).json()) as { offsets: { partition: number; offset: number }[] };
    expect(committed.offsets).toEqual([{ topic: "v2-life", partition: 0, offset: 1, metadata: "" }]);
    expect((await call("DELETE", at)).status).toBe(204);
    expect((await call("DELETE", at)).status).toBe(404);
  });
});

/** Creates a json consumer subscribed to `topic` and returns its instance URL path (at its node). */
async function consumer(prefix: string, group: string, topic: string, extra: Record<string, unknown> = {}): Promise<string> {
  const config = { format: "json", "auto.offset.reset": "earliest", "auto.commit.enable": "false", ...extra };
  const res = await call("POST", `${prefix}/consumers/${group}`, config);
  expect(res.status).toBe(200);
  const at = new URL(((await res.json()) as { base_uri: string }).base_uri).pathname;
  expect((await call("POST", `${at}/subscription`, { topics: [topic] })).status).toBe(204);
  return at;
}

describe("dev broker: as strict as the real REST proxies", () => {
  it("refuses unknown fields at consumer creation, session.timeout.ms included (422, as Confluent and Redpanda do)", async () => {
    for (const prefix of ["", "/redpanda"]) {
      const res = await call("POST", `${prefix}/consumers/strict`, { format: "json", "session.timeout.ms": "30000" });
      expect(res.status).toBe(422);
      expect(((await res.json()) as { message: string }).message).toContain("session.timeout.ms");
    }
    // The fields every server knows are accepted; Confluent coerces numeric strings, Redpanda takes strings only.
    const ok = { format: "json", "auto.offset.reset": "earliest", "auto.commit.enable": "false", "consumer.request.timeout.ms": "1000" };
    expect((await call("POST", "/consumers/strict", { ...ok, "fetch.min.bytes": 1 })).status).toBe(200);
    expect((await call("POST", "/redpanda/consumers/strict", { ...ok, "fetch.min.bytes": 1 })).status).toBe(422);
    expect((await call("POST", "/redpanda/consumers/strict", ok)).status).toBe(200);
    // Redpanda supports only earliest / no auto-commit.
    expect((await call("POST", "/redpanda/consumers/strict", { ...ok, "auto.offset.reset": "latest" })).status).toBe(400);
  });

  it("requires application/vnd.kafka.v2+json on consumer requests, the bodiless DELETE included (415)", async () => {
    const at = await consumer("", "ct", "v2-ct");
    const bare = (method: string, path: string, body?: unknown): Promise<Response> =>
      brokerFetch(`http://broker.test${path}`, {
        method,
        headers: { authorization: AUTH },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    expect((await bare("DELETE", at)).status).toBe(415);
    expect((await bare("POST", "/consumers/ct", { format: "json" })).status).toBe(415);
    expect((await bare("POST", `${at}/offsets`, { offsets: [] })).status).toBe(415);
    const asJson = await call("POST", `${at}/subscription`, { topics: ["v2-ct"] }, { "content-type": "application/json" });
    expect(asJson.status).toBe(415);
    expect(await asJson.json()).toMatchObject({ error_code: 415 });
    expect((await call("DELETE", at)).status).toBe(204);
  });

  it("ignores max_records: a poll returns the batch it has", async () => {
    await call("POST", "/topics/v2-mr", { records: [1, 2, 3, 4, 5].map((n) => ({ value: n, partition: 0 })) }, { "content-type": JSON_V2 });
    const at = await consumer("", "mr", "v2-mr");
    const recs = await call("GET", `${at}/records?timeout=500&max_records=1`, undefined, { accept: JSON_V2 });
    expect(((await recs.json()) as unknown[]).length).toBe(5);
  });

  it("expires an idle instance after the instance timeout: 40403 on poll and on commit", async () => {
    const at = await consumer("", "idle", "v2-idle");
    await new Promise((r) => setTimeout(r, 2_300)); // BROKER_INSTANCE_TIMEOUT_MS = 2000 in the test config
    const poll = await call("GET", `${at}/records?timeout=0`, undefined, { accept: JSON_V2 });
    expect(poll.status).toBe(404);
    expect(await poll.json()).toMatchObject({ error_code: 40403 });
    const commit = await call("POST", `${at}/offsets`, { offsets: [{ topic: "v2-idle", partition: 0, offset: 0 }] });
    expect(await commit.json()).toMatchObject({ error_code: 40403 });
  });

  it("with several nodes, an instance answers only at its base_uri; the bare URL gets 40403", async () => {
    const at = await consumer("", "nodes", "v2-nodes");
    const bare = at.replace(/^\/nodes\/\d/, "");
    const res = await call("GET", `${bare}/records?timeout=0`, undefined, { accept: JSON_V2 });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error_code: 40403 });
    const other = at.replace(/^\/nodes\/(\d)/, (_m, n: string) => `/nodes/${1 - Number(n)}`);
    expect((await call("GET", `${other}/records?timeout=0`, undefined, { accept: JSON_V2 })).status).toBe(404);
    expect((await call("GET", `${at}/records?timeout=0`, undefined, { accept: JSON_V2 })).status).toBe(200);
  });

  it("commits offset + 1 in the Confluent dialect and the offset as sent in the Redpanda dialect", async () => {
    const two = {
      records: [
        { value: "a", partition: 0 },
        { value: "b", partition: 0 },
      ],
    };
    await call("POST", "/topics/v2-commit", two, { "content-type": JSON_V2 });
    for (const [prefix, stored, status] of [
      ["", 2, 200],
      ["/redpanda", 1, 204],
    ] as const) {
      const group = `commit${prefix.replace("/", "-")}`;
      const at = await consumer(prefix, group, "v2-commit");
      await call("GET", `${at}/records?timeout=200`, undefined, { accept: JSON_V2 });
      const res = await call("POST", `${at}/offsets`, { offsets: [{ topic: "v2-commit", partition: 0, offset: 1 }] });
      expect(res.status).toBe(status);
      const got = (await (await call("GET", `${at}/offsets`)).json()) as { offsets: { offset: number }[] };
      expect(got.offsets[0]?.offset).toBe(stored);
      expect((await call("DELETE", at)).status).toBe(204);
    }
    // pandaproxy's offsets entries have exactly topic, partition and offset.
    const at = await consumer("/redpanda", "commit-meta", "v2-commit");
    const meta = await call("POST", `${at}/offsets`, { offsets: [{ topic: "v2-commit", partition: 0, offset: 0, metadata: "" }] });
    expect(meta.status).toBe(422);
  });
});
