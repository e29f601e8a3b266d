import { describe, expect, it } from "vitest";
import { TOPICS, type ResultMessage } from "@proximus/contracts";
import type { BusRecordInput, TaskBus } from "@proximus/shared/bus";
import { taskMessage } from "./offline/pipeline";
import { BusSink } from "./bus-sink";

const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-b7ad6b7169203331-01";

class RecordingBus implements TaskBus {
  readonly mode = "kafka-rest" as const;
  readonly produced: { topic: string; record: BusRecordInput }[] = [];
  async produce(topic: string, records: readonly BusRecordInput[]): Promise<void> {
    for (const record of records) this.produced.push({ topic, record });
  }
}

describe("BusSink trace headers", () => {
  it("puts the task's traceparent on every event and result record", async () => {
    const bus = new RecordingBus();
    const task = taskMessage("idea", "ceo", new Map(), [], { traceparent: TRACEPARENT });
    const sink = new BusSink(bus, task);
    sink.emit("log", "hello");
    sink.emit("token", "abc");
    const result: ResultMessage = {
      v: 1,
      projectId: task.projectId,
      taskId: task.taskId,
      attempt: 1,
      idempotencyKey: task.idempotencyKey,
      status: "succeeded",
      artifacts: [],
      usage: [],
      permanent: false,
      startedAt: 1,
      finishedAt: 2,
    };
    await sink.finish(result);
    expect(bus.produced.map((p) => p.topic)).toEqual([TOPICS.events, TOPICS.events, TOPICS.results]);
    expect(bus.produced.every((p) => p.record.headers?.traceparent === TRACEPARENT)).toBe(true);
  });

  it("sends no traceparent header when the task had none", async () => {
    const bus = new RecordingBus();
    const task = taskMessage("idea", "ceo", new Map(), []);
    const sink = new BusSink(bus, task);
    await sink.finish({
      v: 1,
      projectId: task.projectId,
      taskId: task.taskId,
      attempt: 1,
      idempotencyKey: task.idempotencyKey,
      status: "failed",
      artifacts: [],
      usage: [],
      permanent: false,
      startedAt: 1,
      finishedAt: 2,
    });
    expect(bus.produced[0]!.record.headers).not.toHaveProperty("traceparent");
  });
});

describe("BusSink batching", () => {
  it("sends consecutive token deltas of one flush window as one event, in order with the logs around them", async () => {
    const bus = new RecordingBus();
    const task = taskMessage("idea", "engineer_be", new Map(), []);
    const sink = new BusSink(bus, task);
    sink.emit("log", "start");
    for (let i = 0; i < 1_000; i++) sink.emit("token", `t${i} `);
    sink.emit("log", "middle");
    sink.emit("token", "after");
    const big = "x".repeat(19_998);
    sink.emit("token", big);
    await sink.finish({
      v: 1,
      projectId: task.projectId,
      taskId: task.taskId,
      attempt: 1,
      idempotencyKey: task.idempotencyKey,
      status: "succeeded",
      artifacts: [],
      usage: [],
      permanent: false,
      startedAt: 1,
      finishedAt: 2,
    });
    const events = bus.produced.filter((p) => p.topic === TOPICS.events).map((p) => p.record.value as { kind: string; text: string });
    const streamed = Array.from({ length: 1_000 }, (_, i) => `t${i} `).join("");
    // The 20 000-character cap of an event's text splits a long run: nothing is cut off.
    expect(events.map((e) => [e.kind, e.text.length])).toEqual([
      ["log", 5],
      ["token", streamed.length],
      ["log", 6],
      ["token", 5],
      ["token", 19_998],
    ]);
    expect(events[1]!.text).toBe(streamed);
  });
});
