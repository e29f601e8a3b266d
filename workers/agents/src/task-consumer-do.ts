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
      // The idle timeout of an instance is the server's (dev broker: BROKER_INSTANCE_TIMEOUT_MS); no client setting.
      config: { group: TASKS_GROUP, topics: [TOPICS.tasks], autoOffsetReset: "earliest" },
      // A hint only (REST Proxy v2 servers return any batch); the loop commits after each record.
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
