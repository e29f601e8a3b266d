import { TOPICS } from "../../../contracts";
import { createBus, handleQueueBatch } from "../../shared/bus";
import { createApp } from "./app";
import { benchBare } from "./bench-bare";
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
