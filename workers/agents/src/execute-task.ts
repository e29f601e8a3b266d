import { TaskMessage } from "../../../contracts";
import type { TaskBus } from "../../shared/bus";
import { runTask } from "./runtime";
import { createAgentDeps, type AgentEnv } from "./agent-deps";
import { BusSink } from "./bus-sink";

/**
 * One delivered ai-org-tasks record → role agent → events + result on the bus.
 * Throws only when the record is not a task or the bus is down; both make the transport redeliver.
 */
export async function executeTaskRecord(env: AgentEnv, bus: TaskBus, value: unknown): Promise<void> {
  const task = TaskMessage.parse(value);
  const sink = new BusSink(bus, task);
  const result = await runTask(task, await createAgentDeps(env, task, sink.emit));
  await sink.finish(result);
}
