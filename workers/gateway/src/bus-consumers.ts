/** How often an isolate re-checks that the consumer loops are armed (each check is idempotent). */
const RECHECK_MS = 30_000;
let lastEnsured = 0;

/**
 * Makes sure the bus consumers run: the results router here and the task consumers in the agents
 * Worker. Their alarm loops re-arm themselves (and the agents' cron re-arms them too), so this
 * runs off the request path and at most every RECHECK_MS per isolate.
 */
export function ensureBusConsumersSoon(env: Env, ctx: () => { waitUntil(p: Promise<unknown>): void }): void {
  if (env.BUS_MODE === "inline" || env.BUS_MODE === "queues") return;
  const now = Date.now();
  if (now - lastEnsured < RECHECK_MS) return;
  lastEnsured = now;
  ctx().waitUntil(
    ensureBusConsumers(env).catch((err: unknown) => {
      lastEnsured = 0;
      console.error("could not start the bus consumers", err instanceof Error ? err.message : String(err));
    }),
  );
}

export async function ensureBusConsumers(env: Env): Promise<void> {
  if (env.BUS_MODE === "inline" || env.BUS_MODE === "queues") return;
  await Promise.all([
    env.RESULTS_ROUTER.getByName("router").start(),
    env.AGENTS.fetch("http://agents.internal/consumers/start", { method: "POST" }).then(async (res) => {
      if (!res.ok) throw new Error(`agents Worker refused to start consumers: ${res.status} ${await res.text()}`);
    }),
  ]);
}
