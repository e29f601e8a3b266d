// `npm run sim-llm -- [--port 8799] [--host 127.0.0.1] [--latency 0] [--scenario good]`: the model
// simulator as a standalone OpenAI-compatible server (see sim/README.md).
import { parseArgs } from "node:util";
import { SCENARIO_NAMES, isScenarioName } from "@proximus/agents/sim/scenarios";
import { startSimServer } from "./server";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: process.env.SIM_LLM_PORT ?? "8799" },
    host: { type: "string", default: "127.0.0.1" },
    latency: { type: "string", default: "0" },
    scenario: { type: "string", default: "good" },
  },
});
const scenario = values.scenario ?? "good";
if (!isScenarioName(scenario)) {
  console.error(`unknown scenario "${scenario}"; one of: ${SCENARIO_NAMES.join(", ")}`);
  process.exit(2);
}
const server = await startSimServer({
  port: Number(values.port),
  host: values.host ?? "127.0.0.1",
  latencyMs: Number(values.latency),
  scenario,
});
console.log(
  `sim-llm: OpenAI-compatible model simulator on ${server.baseUrl} ` +
    `(default scenario: ${scenario}; models: ${SCENARIO_NAMES.map((s) => `sim-${s}`).join(", ")})`,
);
console.log(`sim-llm: point the agents at it with OPENAI_BASE_URL=${server.baseUrl}; GET ${server.url}/stats shows calls in flight`);
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => {
    void server.close().then(() => process.exit(0));
  });
}
