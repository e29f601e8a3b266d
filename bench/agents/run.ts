/**
 * The agent loop per simulator scenario: stop reason, steps, tool calls, tokens, USD and wall
 * time per task, in process (the same scenario logic `npm run sim-llm` serves).
 *
 *   npm run bench:agents                       # every scenario, `run` on the test-only local runner
 *   npm run bench:agents -- --sandbox real     # `run` in a real sandbox-host (root + runsc)
 *   npm run bench:agents -- --scenario slip --repeat 5
 *   npm run bench:agents -- --via http         # through OpenAiProvider and the sim-llm HTTP server
 *   npm run bench:agents -- --provider openai  # real-provider mode (needs a key; see below)
 *
 * USD uses gpt-4o-mini's list price for the simulated model, so the numbers are comparable to a cheap real model.
 */
import { parseArgs } from "node:util";
import { sandboxCommandRunner } from "@proximus/agents/loop/runner";
import { runScenario } from "@proximus/agents/loop/testing/run-scenario";
import { localTestSandbox } from "@proximus/agents/loop/testing/local-test-runner";
import { SandboxClient, sandboxRunner } from "@proximus/agents/tools/sandbox-client";
import { SCENARIO_NAMES, isScenarioName, type ScenarioName } from "@proximus/agents/sim/scenarios";
import { startSandboxHost } from "../../scripts/lib/sandbox-host.mjs";
import { OpenAiProvider } from "@proximus/agents/llm/openai";
import { startSimServer } from "../../sim/server";
import { IDEAS, providerMode } from "./provider-mode";

const { values } = parseArgs({
  options: {
    scenario: { type: "string" },
    repeat: { type: "string", default: "1" },
    sandbox: { type: "string", default: "local" },
    provider: { type: "string" },
    via: { type: "string", default: "in-process" },
  },
});

const scenarios: ScenarioName[] = values.scenario ? [values.scenario].filter(isScenarioName) : SCENARIO_NAMES;
if (!scenarios.length) {
  console.error(`unknown scenario "${values.scenario}"; one of: ${SCENARIO_NAMES.join(", ")}`);
  process.exit(2);
}
const repeat = Math.max(1, Number(values.repeat));
const host = values.sandbox === "real" ? await startSandboxHost() : null;
const sandbox = host ? sandboxRunner(new SandboxClient({ url: host.url, secret: host.secret })) : localTestSandbox;
if (values.provider) {
  const code = await providerMode(values.provider, IDEAS, sandbox, host ? "gVisor sandbox-host" : "test-only local runner, no isolation");
  await host?.stop();
  process.exit(code);
}
const runner = sandboxCommandRunner(sandbox);
const sim = values.via === "http" ? await startSimServer() : null;
const openai = sim ? new OpenAiProvider({ apiKey: "sim", baseUrl: sim.baseUrl }) : null;

const rows: string[][] = [["scenario", "stop reason", "steps", "tool calls", "tokens in", "tokens out", "USD", "wall ms"]];
try {
  for (const name of scenarios) {
    for (let i = 0; i < repeat; i++) {
      const t0 = performance.now();
      const run = await runScenario(name, { runner, ...(openai ? { provider: openai, model: `sim-${name}` } : {}) });
      const ms = performance.now() - t0;
      const toolCalls = run.events.reduce((n, e) => n + (e.type === "loop.step" ? e.toolCalls.length : 0), 0);
      const r = run.result;
      rows.push([
        name,
        r.stopReason,
        String(r.steps),
        String(toolCalls),
        String(r.inputTokens),
        String(r.outputTokens),
        r.costUsd.toFixed(5),
        ms.toFixed(0),
      ]);
    }
  }
} finally {
  await host?.stop();
  await sim?.close();
}
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const r of rows) console.log(r.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  "));
console.log(
  `\nmodel: ${sim ? "OpenAiProvider → sim-llm over HTTP" : "in-process SimProvider"}; ` +
    `run tool: ${host ? "real sandbox-host" : "test-only local runner (no isolation)"}; simulated model priced at gpt-4o-mini rates`,
);
