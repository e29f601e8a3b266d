import { TOPICS } from "@proximus/contracts";
import { createBus, HEADER_IDEMPOTENCY_KEY, HEADER_TRACEPARENT } from "@proximus/shared/bus";
import type { TaskDispatcher } from "../../../durable-objects/project/dispatcher";

/**
 * Produces ready tasks to ai-org-tasks, keyed by the attempt's idempotency key: tasks need no order
 * (the ProjectDO dispatches a task only when its dependencies are done and applies each result
 * once), so keying by attempt spreads one project's parallel tasks (Engineer FE ∥ BE) over the
 * partitions and consumers instead of queueing them on one.
 */
export function busDispatcher(env: Env): TaskDispatcher {
  const { bus } = createBus(env);
  return {
    async dispatch(msg) {
      await bus.produce(TOPICS.tasks, [
        {
          key: msg.idempotencyKey,
          value: msg,
          headers: { [HEADER_IDEMPOTENCY_KEY]: msg.idempotencyKey, ...(msg.traceparent ? { [HEADER_TRACEPARENT]: msg.traceparent } : {}) },
        },
      ]);
    },
  };
}
