/**
 * Makes sure the bus consumers run: the results router here and the task consumers in the agents
 * Worker. Both are idempotent, so this is called whenever a project starts.
 */
export async function ensureBusConsumers(env: Env): Promise<void> {
  if (env.BUS_MODE === "inline" || env.BUS_MODE === "queues") return;
  await Promise.all([
    env.RESULTS_ROUTER.getByName("router").start(),
    env.AGENTS.fetch("http://agents.internal/consumers/start", { method: "POST" }).then(async (res) => {
      if (!res.ok) throw new Error(`agents Worker refused to start consumers: ${res.status} ${await res.text()}`);
    }),
  ]);
}
