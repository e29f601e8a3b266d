import { TOPICS } from "../../../contracts";
import { createBus, HEADER_IDEMPOTENCY_KEY, HEADER_TRACEPARENT } from "../../shared/bus";
import type { TaskDispatcher } from "../../../durable-objects/project/dispatcher";

/** Produces ready tasks to ai-org-tasks, keyed by project so one project's tasks keep their order. */
export function busDispatcher(env: Env): TaskDispatcher {
  const { bus } = createBus(env);
  return {
    async dispatch(msg) {
      await bus.produce(TOPICS.tasks, [
        {
          key: msg.projectId,
          value: msg,
          headers: { [HEADER_IDEMPOTENCY_KEY]: msg.idempotencyKey, ...(msg.traceparent ? { [HEADER_TRACEPARENT]: msg.traceparent } : {}) },
        },
      ]);
    },
  };
}
