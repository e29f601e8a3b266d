/**
 * Test-only entry (vitest `main`): the dev broker plus a queue() consumer and a DO that
 * runs ConsumerLoop, so the bus adapters can be exercised against real bindings in workerd.
 * Tests register handlers in `harness` (same isolate as this worker).
 */
import { DurableObject } from "cloudflare:workers";
import broker from "../src/index";
import type { BrokerEnv } from "../src/env";
import { handleQueueBatch } from "@proximus/shared/bus/queues";
import { QueuesBus } from "@proximus/shared/bus/queues";
import { ConsumerLoop, type TickResult } from "@proximus/shared/bus/consumer-loop";
import type { ConsumerLoopOptions } from "@proximus/shared/bus/consumer-loop";
import { TOPICS } from "@proximus/contracts/task";
import { harness } from "./harness";

export { BrokerDO } from "../src/index";

export interface TestEnv extends BrokerEnv {
  LOOP: DurableObjectNamespace<LoopTestDO>;
  TEST_QUEUE: Queue<unknown>;
  TEST_DLQ: Queue<unknown>;
}

/** Runs a ConsumerLoop from its alarm, with options from the test harness (keyed by name). */
export class LoopTestDO extends DurableObject<TestEnv> {
  private loop(name: string): ConsumerLoop {
    const make = harness.loops.get(name);
    if (!make) throw new Error(`no loop registered for ${name}`);
    const opts: ConsumerLoopOptions = make(this.ctx.storage);
    return new ConsumerLoop(opts);
  }
  async start(name: string): Promise<void> {
    await this.ctx.storage.put("name", name);
    await this.loop(name).start();
  }
  async stop(name: string): Promise<void> {
    await this.loop(name).stop();
    await this.ctx.storage.delete("name");
  }
  override async alarm(): Promise<void> {
    const name = await this.ctx.storage.get<string>("name");
    if (!name || !harness.loops.has(name)) return;
    const result: TickResult = await this.loop(name).tick();
    harness.ticks.push({ name, ...result });
  }
}

export default {
  fetch: broker.fetch,
  async queue(batch, env) {
    const handler = harness.queueHandler;
    if (batch.queue === "bus-contract-dlq") {
      for (const m of batch.messages) {
        harness.queueDlq.push(m.body);
        m.ack();
      }
      return;
    }
    if (!handler) {
      batch.retryAll();
      return;
    }
    await handleQueueBatch(batch, {
      handler,
      maxAttempts: 3,
      deadLetter: { bus: new QueuesBus({ [TOPICS.deadLetter]: env.TEST_DLQ }), topic: TOPICS.deadLetter, group: "queue-test" },
      retryDelaySeconds: 0,
    });
  },
} satisfies ExportedHandler<TestEnv>;
