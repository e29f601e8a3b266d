import { TaskMessage } from "@proximus/contracts";

/**
 * What the consumer does with an ai-org-tasks record: store it in the attempt's own executor and
 * return. The consumer commits the offset after this, so consumption never waits on an agent and
 * a redelivered record finds its executor already holding it (a no-op). A record that is not a task
 * throws here, and the consumer dead-letters it after its attempts.
 */
export async function handOff(env: Env, value: unknown): Promise<void> {
  const task = TaskMessage.parse(value);
  await env.TASK_EXECUTOR.getByName(task.idempotencyKey).accept(task);
}
