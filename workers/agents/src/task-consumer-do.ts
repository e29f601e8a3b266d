import { DurableObject } from "cloudflare:workers";
import { TOPICS } from "@proximus/contracts";
import { ConsumerLoop, createBus } from "@proximus/shared/bus";
import { handOff } from "./executor/hand-off";

export const TASKS_GROUP = "proximus-agents";

/**
 * One member of the ai-org-tasks consumer group. Its alarm long-polls the bus and hands each task
 * to the attempt's own TaskExecutorDO, then commits the offset: consumption never waits on an
 * agent, so the members are not the platform's concurrency limit. A member that dies before the
 * commit leaves the record uncommitted; its redelivery finds the executor already holding it.
 */
export class TaskConsumerDO extends DurableObject<Env> {
  private loop: ConsumerLoop | null = null;

  private consumerLoop(): ConsumerLoop {
    if (this.loop) return this.loop;
    const { bus, consumers } = createBus(this.env);
    if (!consumers) throw new Error("BUS_MODE=queues delivers tasks to queue(), not to a consumer DO");
    this.loop = new ConsumerLoop({
      storage: this.ctx.storage,
      source: consumers,
      bus,
      // The idle timeout of an instance is the server's (dev broker: BROKER_INSTANCE_TIMEOUT_MS); no client setting.
      config: { group: TASKS_GROUP, topics: [TOPICS.tasks], autoOffsetReset: "earliest" },
      // A hint only (REST Proxy v2 servers return any batch); a hand-off takes milliseconds and the
      // loop commits after each record, so a batch never outlives the consumer instance.
      maxRecords: 50,
      pollTimeoutMs: 5_000,
      maxAttempts: 5,
      // A record that is not a valid task can never succeed: the loop dead-letters it after maxAttempts.
      handler: (record) => handOff(this.env, record.value),
    });
    return this.loop;
  }

  async start(): Promise<void> {
    await this.consumerLoop().start();
  }

  async stop(): Promise<void> {
    await this.consumerLoop().stop();
  }

  override async alarm(): Promise<void> {
    await this.consumerLoop().tick();
  }
}
