import type { TaskDispatcher } from "../../../durable-objects/project/dispatcher";
import { busDispatcher } from "./bus-dispatcher";
import { inlineDispatcher } from "./inline-dispatcher";

/** BUS_MODE picks how tasks leave the ProjectDO: over the bus, or run in-process (inline). */
export function dispatcherFor(env: Env): TaskDispatcher {
  return env.BUS_MODE === "inline" ? inlineDispatcher(env) : busDispatcher(env);
}
