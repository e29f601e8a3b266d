import type { TaskDispatcher } from "../../../durable-objects/project/dispatcher";
import { AppError } from "@proximus/contracts";
import { busDispatcher } from "./bus-dispatcher";

/**
 * Whether this build carries the in-process agents (`BUS_MODE=inline`). Deployed environments set
 * `PROXIMUS_INLINE_AGENTS = "false"` in their wrangler `define`, so the bundler drops the agents'
 * runtime and its LLM and vector-store SDKs from the gateway; local dev and the tests keep them.
 */
declare const PROXIMUS_INLINE_AGENTS: boolean;

/** BUS_MODE picks how tasks leave the ProjectDO: over the bus, or run in-process (inline). */
export function dispatcherFor(env: Env): TaskDispatcher {
  if (env.BUS_MODE !== "inline") return busDispatcher(env);
  if (PROXIMUS_INLINE_AGENTS) {
    return {
      async dispatch(msg, sink) {
        // In a build with PROXIMUS_INLINE_AGENTS = false this branch is dead code, and the bundler leaves the import out.
        const { inlineDispatcher } = await import("./inline-dispatcher");
        await inlineDispatcher(env).dispatch(msg, sink);
      },
    };
  }
  throw new AppError(
    "internal",
    'BUS_MODE=inline needs a gateway built with the agents: set define PROXIMUS_INLINE_AGENTS = "true" for this environment',
  );
}
