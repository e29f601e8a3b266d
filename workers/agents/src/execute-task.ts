import { TaskMessage } from "../../../contracts";
import type { TaskBus } from "../../shared/bus";
import { runTask } from "./runtime";
import { createAgentDeps, type AgentEnv } from "./agent-deps";
import { BusSink } from "./bus-sink";
import { agentsTracer } from "./task-tracing";

/**
 * One delivered ai-org-tasks record → role agent → events + result on the bus.
 * Throws only when the record is not a task or the bus is down; both make the transport redeliver.
 */
export async function executeTaskRecord(env: AgentEnv, bus: TaskBus, value: unknown): Promise<void> {
  const task = TaskMessage.parse(value);
  const sink = new BusSink(bus, task);
  const tracer = agentsTracer(env);
  const result = await runTask(task, { ...(await createAgentDeps(env, task, sink.emit)), tracer });
  await sink.finish(result);
  // After the result is on the bus, so a slow collector never delays the project; never throws.
  await tracer.flush();
}
