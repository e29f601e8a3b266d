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
    const res = await call("POST", "/topics/v2-produce", { records: [{ key: "k1", value: { n: 1 } }, { key: "k1", value: { n: 2 } }, { value: "x", partition: 3 }] }, { "content-type": JSON_V2 });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { offsets: { partition: number; offset: number }[] };
    expect(body.offsets).toHaveLength(3);
    expect(body.offsets[0]!.partition).toBe(body.offsets[1]!.partition);
    expect(body.offsets[1]!.offset).toBe(body.offsets[0]!.offset + 1);
    expect(body.offsets[2]).toMatchObject({ partition: 3, offset: 0 });

    expect(await (await call("GET", "/topics")).json()).toContain("v2-produce");
    const topic = (await (await call("GET", "/topics/v2-produce")).json()) as { name: string; partitions: unknown[] };
    expect(topic.name).toBe("v2-produce");
    expect(topic.partitions).toHaveLength(4);
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

  it("runs the consumer instance lifecycle: create, subscribe, records, commit (+1), committed, delete", async () => {
    await call("POST", "/topics/v2-life", { records: [{ value: { a: 1 }, partition: 0 }, { value: { a: 2 }, partition: 0 }] }, { "content-type": JSON_V2 });
    const created = await call("POST", "/consumers/life", { name: "m1", format: "json", "auto.offset.reset": "earliest", "auto.commit.enable": "false" });
    expect(created.status).toBe(200);
    const { instance_id, base_uri } = (await created.json()) as { instance_id: string; base_uri: string };
    expect(instance_id).toBe("m1");
    expect(base_uri).toBe("http://broker.test/consumers/life/instances/m1");
    const dup = await call("POST", "/consumers/life", { name: "m1", format: "json" });
    expect(dup.status).toBe(409);
    expect(await dup.json()).toMatchObject({ error_code: 40902 });

    expect((await call("POST", "/consumers/life/instances/m1/subscription", { topics: ["v2-life"] })).status).toBe(204);
    expect(await (await call("GET", "/consumers/life/instances/m1/subscription")).json()).toEqual({ topics: ["v2-life"] });
    const recs = await call("GET", "/consumers/life/instances/m1/records?timeout=100", undefined, { accept: JSON_V2 });
    expect(recs.headers.get("content-type")).toBe(JSON_V2);
    expect(await recs.json()).toEqual([
      { topic: "v2-life", key: null, value: { a: 1 }, partition: 0, offset: 0 },
      { topic: "v2-life", key: null, value: { a: 2 }, partition: 0, offset: 1 },
    ]);
    expect((await call("POST", "/consumers/life/instances/m1/offsets", { offsets: [{ topic: "v2-life", partition: 0, offset: 0 }] })).status).toBe(200);
    const committed = (await (await call("GET", "/consumers/life/instances/m1/offsets")).json()) as { offsets: { partition: number; offset: number }[] };
    expect(committed.offsets).toEqual([{ topic: "v2-life", partition: 0, offset: 1, metadata: "" }]);
    expect((await call("DELETE", "/consumers/life/instances/m1")).status).toBe(204);
    expect((await call("DELETE", "/consumers/life/instances/m1")).status).toBe(404);
  });
});
