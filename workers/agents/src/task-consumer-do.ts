import { DurableObject } from "cloudflare:workers";
import { TOPICS } from "../../../contracts";
import { ConsumerLoop, createBus } from "../../shared/bus";
import { executeTaskRecord } from "./execute-task";

export const TASKS_GROUP = "proximus-agents";

/**
 * One member of the ai-org-tasks consumer group. Its alarm long-polls the bus, runs each task's
 * role agent, produces events and the result, and only then commits the offset: a member that
 * dies mid-task leaves the record uncommitted, so another member runs it again and the
 * ProjectDO applies whichever result comes first, once.
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
      config: { group: TASKS_GROUP, topics: [TOPICS.tasks], autoOffsetReset: "earliest", sessionTimeoutMs: Number(this.env.CONSUMER_SESSION_TIMEOUT_MS) || 30_000 },
      // Role agents take seconds to minutes; one task per poll keeps a rebalance from stranding a batch.
      maxRecords: 1,
      pollTimeoutMs: 5_000,
      maxAttempts: 5,
      // A record that is not a valid task can never succeed: the loop dead-letters it after maxAttempts.
      handler: (record) => executeTaskRecord(this.env, bus, record.value),
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
