import { handleQueueBatch, createBus } from "@proximus/shared/bus";
import { TOPICS } from "@proximus/contracts";
import { handOff } from "./executor/hand-off";
import { TASKS_GROUP } from "./task-consumer-do";
import { agentsHealth } from "./health";

export { TaskConsumerDO } from "./task-consumer-do";
export { TaskExecutorDO } from "./executor/task-executor-do";
export { TaskLimiterDO } from "./executor/task-limiter-do";

function members(env: Env): number {
  return Math.max(1, Math.min(16, Number(env.AGENT_CONSUMERS) || 2));
}

/** Starting is idempotent: each member's alarm loop runs once it is armed. */
async function startConsumers(env: Env): Promise<number> {
  const n = members(env);
  await Promise.all(Array.from({ length: n }, (_, i) => env.TASK_CONSUMER.getByName(`member-${i}`).start()));
  return n;
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/health") return agentsHealth(env);
    if (url.pathname === "/consumers/start" && request.method === "POST") {
      if (env.BUS_MODE === "queues") return Response.json({ started: 0, note: "queues mode consumes in queue()" });
      return Response.json({ started: await startConsumers(env) });
    }
    return Response.json({ error: { code: "not_found", message: "no such route" } }, { status: 404 });
  },

  // A cron keeps the consumer loops armed in production even if every alarm was lost.
  async scheduled(_controller, env) {
    if (env.BUS_MODE !== "queues") await startConsumers(env);
  },

  // BUS_MODE=queues: tasks arrive pushed instead of pulled.
  async queue(batch, env) {
    const { bus } = createBus(env);
    await handleQueueBatch(batch, {
      maxAttempts: 5,
      deadLetter: { bus, topic: TOPICS.deadLetter, group: TASKS_GROUP },
      handler: (record) => handOff(env, record.value),
    });
  },
} satisfies ExportedHandler<Env>;
