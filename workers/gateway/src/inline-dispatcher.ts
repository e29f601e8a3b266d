import type { AgentEventMessage } from "@proximus/contracts";
import type { TaskDispatcher } from "../../../durable-objects/project/dispatcher";
import { runTask } from "@proximus/agents/runtime";
import { createAgentDeps } from "@proximus/agents/agent-deps";
import { gatewayTracer } from "./tracing";

/**
 * Runs the role agent in the ProjectDO's own alarm, without a bus: the smallest setup, used by
 * tests and by `BUS_MODE=inline`. Results go through the same at-most-once `applyResult` as the bus.
 */
export function inlineDispatcher(env: Env): TaskDispatcher {
  return {
    async dispatch(msg, sink) {
      const pending: Promise<void>[] = [];
      const deps = await createAgentDeps(env, msg, (kind, text) => {
        const event: AgentEventMessage = {
          v: 1,
          projectId: msg.projectId,
          taskId: msg.taskId,
          attempt: msg.attempt,
          kind,
          text: text.slice(0, 20_000),
          ts: Date.now(),
        };
        // Progress is best effort (as on the bus): a lost event must not fail and re-run the task.
        pending.push(
          sink.applyAgentEvent(event).catch((err: unknown) => {
            console.warn("dropped an agent event", { taskId: msg.taskId, error: err instanceof Error ? err.message : String(err) });
          }),
        );
      });
      // No executor and no queue in between: the agent starts now.
      await sink.applyAgentEvent({
        v: 1,
        projectId: msg.projectId,
        taskId: msg.taskId,
        attempt: msg.attempt,
        kind: "started",
        text: "agent started (inline)",
        ts: Date.now(),
      });
      // Spans join the gateway's tracer, which the ProjectDO flushes after its alarm.
      const result = await runTask(msg, { ...deps, tracer: gatewayTracer(env) });
      await Promise.all(pending);
      await sink.applyResult(result);
    },
  };
}
