import { TOPICS } from "@proximus/contracts";
import { createBus, handleQueueBatch } from "@proximus/shared/bus";
import { createApp } from "./app";
import { benchBare } from "./bench-bare";
import { db } from "./db/client";
import { reconcileUnconfirmed } from "./sagas/reconcile";
import { ensureBusConsumers } from "./bus-consumers";
import { RESULTS_GROUP, routeRecord } from "./results-router-do";

export { ProjectDO } from "./project-do";
export { ResultsRouterDO } from "./results-router-do";
export { RateLimiterDO } from "./rate-limit/rate-limiter-do";

const app = createApp();

export default {
  fetch(request, env, ctx) {
    if (env.BENCH_BARE_ROUTE === "1" && new URL(request.url).pathname === "/__bench/bare") return benchBare.fetch(request);
    return app.fetch(request, env, ctx);
  },

  // Every minute: settle create sagas that died midway, and keep the bus consumers armed.
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(ensureBusConsumers(env));
    const result = await reconcileUnconfirmed(db(env.DB), env);
    if (result.confirmed.length + result.removed.length > 0) console.log("reconciled unconfirmed projects", result);
  },

  // BUS_MODE=queues: results and events are pushed here instead of pulled by ResultsRouterDO.
  async queue(batch, env) {
    const { bus } = createBus(env);
    await handleQueueBatch(batch, {
      maxAttempts: 5,
      deadLetter: { bus, topic: TOPICS.deadLetter, group: RESULTS_GROUP },
      handler: (record) => routeRecord(env, record),
    });
  },
} satisfies ExportedHandler<Env>;
