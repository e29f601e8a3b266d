import { describe, expect, it } from "vitest";
import { brokerFetch } from "../test/harness";

const AUTH = `Basic ${btoa("dev:secret")}`;

async function post(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return brokerFetch(`http://broker.test/upstash${path}`, {
    method: "POST",
    headers: { authorization: AUTH, "content-type": "application/json", ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

describe("dev broker: Upstash Kafka REST dialect", () => {
  it("answers errors in Upstash's {error, status} shape, including auth", async () => {
    const unauth = await brokerFetch("http://broker.test/upstash/topics");
    expect(unauth.status).toBe(401);
    expect(await unauth.json()).toEqual({ error: expect.any(String), status: 401 });
    const missing = await post("/fetch", { topic: "never-there", partition: 0, offset: 0 });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ status: 404 });
  });

  it("produces (single, batch, per-topic path) with headers and answers in request order", async () => {
    const oneRes = await post("/produce", { topic: "up-a", value: "v1", key: "k", headers: [{ key: "traceparent", value: "tp" }] });
    const [one] = (await oneRes.json()) as { topic: string; partition: number; offset: number; timestamp: number }[];
    expect(one).toEqual({ topic: "up-a", partition: expect.any(Number), offset: 0, timestamp: expect.any(Number) });
    const many = (await (
      await post("/produce", [
        { topic: "up-b", value: "x", partition: 1 },
        { topic: "up-a", value: "v2", key: "k" },
      ])
    ).json()) as { topic: string; partition: number; offset: number }[];
    expect(many.map((m) => [m.topic, m.offset])).toEqual([
      ["up-b", 0],
      ["up-a", 1],
    ]);
    expect(many[1]!.partition).toBe(one!.partition); // same key, same partition
    const path = (await (await post("/produce/up-b", { value: "y", partition: 1 })).json()) as { offset: number }[];
    expect(path[0]!.offset).toBe(1);

    const fetched = (await (await post("/fetch", { topic: "up-a", partition: one!.partition, offset: 0, timeout: 0 })).json()) as {
      value: string;
      key: string;
      headers: unknown[];
    }[];
    expect(fetched.map((m) => [m.key, m.value, m.headers])).toEqual([
      ["k", "v1", [{ key: "traceparent", value: "tp" }]],
      ["k", "v2", []],
    ]);
    const topics = (await (await brokerFetch("http://broker.test/upstash/topics", { headers: { authorization: AUTH } })).json()) as Record<
      string,
      number
    >;
    expect(topics["up-a"]).toBe(8); // BROKER_PARTITIONS
  });

  it("consume creates the instance implicitly, honours auto-commit off, commit/committed use next-offset semantics", async () => {
    await post("/produce", [
      { topic: "up-c", value: "1", partition: 0 },
      { topic: "up-c", value: "2", partition: 0 },
    ]);
    const headers = { "Kafka-Enable-Auto-Commit": "false", "Kafka-Auto-Offset-Reset": "earliest" };
    const msgs = (await (await post("/consume/gc/i1", { topic: "up-c", timeout: 0 }, headers)).json()) as {
      offset: number;
      value: string;
      key: string;
      headers: unknown[];
    }[];
    expect(msgs.map((m) => [m.offset, m.value, m.key])).toEqual([
      [0, "1", ""],
      [1, "2", ""],
    ]);
    expect(await (await post("/committed/gc/i1", [{ topic: "up-c", partition: 0 }])).json()).toEqual([]);
    expect(await (await post("/commit/gc/i1", { topic: "up-c", partition: 0, offset: 1 })).json()).toEqual({
      result: "Success",
      status: 200,
    });
    expect(await (await post("/committed/gc/i1", [{ topic: "up-c", partition: 0 }])).json()).toEqual([
      { topic: "up-c", partition: 0, offset: 1 },
    ]);
    const groups = (await (await brokerFetch("http://broker.test/upstash/consumers", { headers: { authorization: AUTH } })).json()) as {
      name: string;
    }[];
    expect(groups.map((g) => g.name)).toContain("gc");
    // Leave without committing offset 1: a new member re-reads exactly it.
    expect((await post("/delete-consumer/gc/i1")).status).toBe(200);
    const again = (await (await post("/consume/gc/i2", { topic: "up-c", timeout: 0 }, headers)).json()) as { offset: number }[];
    expect(again.map((m) => m.offset)).toEqual([1]);
    const offsets = await (await post("/offsets/latest", [{ topic: "up-c", partition: 0 }])).json();
    expect(offsets).toEqual([{ topic: "up-c", partition: 0, offset: 2 }]);
  });

  it("auto-commit (the Upstash default) commits what the previous consume returned", async () => {
    await post("/produce", { topic: "up-d", value: "a", partition: 0 });
    const h = { "Kafka-Auto-Offset-Reset": "earliest" };
    expect(((await (await post("/consume/gd/i1", { topic: "up-d", timeout: 0 }, h)).json()) as unknown[]).length).toBe(1);
    await post("/consume/gd/i1", { topic: "up-d", timeout: 0 }, h);
    expect(await (await post("/committed/gd/i1", [{ topic: "up-d", partition: 0 }])).json()).toEqual([
      { topic: "up-d", partition: 0, offset: 1 },
    ]);
  });
});
