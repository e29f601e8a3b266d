import type { ResultMessage, TaskMessage } from "@proximus/contracts";
import type { TaskBus } from "@proximus/shared/bus";
import { runTask, type AgentDeps } from "./runtime";
import { createAgentDeps, type AgentEnv } from "./agent-deps";
import { BusSink } from "./bus-sink";
import { agentsTracer } from "./task-tracing";

/**
 * One task attempt → role agent → events + result on the bus; returns the result it produced.
 * Throws only when the bus is down (the executor then runs the attempt again).
 */
export async function executeTask(
  env: AgentEnv,
  bus: TaskBus,
  task: TaskMessage,
  extra: Pick<AgentDeps, "checkpoint"> = {},
): Promise<ResultMessage> {
  const sink = new BusSink(bus, task);
  const tracer = agentsTracer(env);
  const result = await runTask(task, { ...(await createAgentDeps(env, task, sink.emit)), tracer, ...extra });
  await sink.finish(result);
  // After the result is on the bus, so a slow collector never delays the project; never throws.
  await tracer.flush();
  return result;
}
