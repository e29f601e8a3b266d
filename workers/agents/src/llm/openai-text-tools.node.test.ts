import { afterEach, describe, expect, it } from "vitest";
import type { ChatMessage } from "./types";
import { OpenAiProvider } from "./openai";
import { openAiToolServer } from "./testing/openai-server.node";
import { WEATHER_TOOLS, type Brain } from "./testing/scripted-model.node";
import { sendJson, startServer, type LocalServer } from "./testing/server.node";

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A small local model that has never heard of native tools but follows the prompt's fenced protocol. */
const textBrain: Brain = (view) =>
  view.lastUserText.startsWith("Result of tool call")
    ? { text: `It is ${view.lastUserText.split("\n")[1] ?? "?"} in Paris.`, calls: [], stop: "end" }
    : { text: 'Checking.\n```tool_call\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n```', calls: [], stop: "end" };

const start: ChatMessage[] = [
  { role: "system", content: "You answer questions about cities." },
  { role: "user", content: "Weather in Paris?" },
];

describe("OpenAI-compatible servers without tool support: text tool protocol", () => {
  for (const streaming of [false, true]) {
    it(`detects "does not support tools", falls back, and completes the tool loop in text (${streaming ? "streaming" : "non-streaming"})`, async () => {
      server = await startServer(openAiToolServer(textBrain, { rejectTools: true }));
      const p = new OpenAiProvider({ apiKey: "not-needed", baseUrl: `${server.url}/v1` });
      const extra = streaming ? { onToken: () => undefined } : {};
      const first = await p.complete({ model: "gemma:2b", messages: start, tools: WEATHER_TOOLS, ...extra });
      expect(first.stopReason).toBe("tool_calls");
      expect(first.text).toBe("Checking.");
      expect(first.toolCalls).toEqual([{ id: expect.stringMatching(/^call_/), name: "get_weather", arguments: '{"city":"Paris"}' }]);
      // Request 1 was refused; request 2 is the same turn without `tools`, the tools described in the system prompt.
      const retry = server.requests[1]!.json();
      expect(retry.tools).toBeUndefined();
      const sys = (retry.messages as { role: string; content: string }[])[0]!;
      expect(sys.role).toBe("system");
      expect(sys.content).toContain("You answer questions about cities.");
      expect(sys.content).toContain("- get_weather: Current weather of a city");

      const call = first.toolCalls![0]!;
      const second = await p.complete({
        model: "gemma:2b",
        tools: WEATHER_TOOLS,
        messages: [
          ...start,
          { role: "assistant", content: first.text, toolCalls: [call] },
          { role: "tool", toolCallId: call.id, name: call.name, content: "21C sunny" },
        ],
        ...extra,
      });
      expect(second).toMatchObject({ text: "It is 21C sunny in Paris.", stopReason: "end", toolCalls: [] });
      // The model is remembered: the second turn went straight to the text protocol.
      expect(server.requests).toHaveLength(3);
      const sent = (server.requests[2]!.json().messages as { role: string; content: string }[]).slice(2);
      expect(sent).toEqual([
        { role: "assistant", content: 'Checking.\n\n```tool_call\n{"name":"get_weather","arguments":{"city":"Paris"}}\n```' },
        { role: "user", content: `Result of tool call get_weather (id ${call.id}):\n21C sunny` },
      ]);
    });
  }

  it("uses the text protocol from the start for a model configured without tools", async () => {
    server = await startServer(openAiToolServer(textBrain, { rejectTools: true }));
    const p = new OpenAiProvider({ apiKey: "not-needed", baseUrl: `${server.url}/v1`, textToolModels: ["phi3:mini"] });
    const r = await p.complete({ model: "phi3:mini", messages: start, tools: WEATHER_TOOLS });
    expect(r.toolCalls?.map((c) => c.name)).toEqual(["get_weather"]);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.json().tools).toBeUndefined();
  });

  it("does not fall back on other 400s", async () => {
    server = await startServer((_req, res) =>
      sendJson(res, 400, {
        error: {
          message: "Invalid 'tools[0].function.name': string does not match pattern.",
          type: "invalid_request_error",
          param: "tools",
          code: null,
        },
      }),
    );
    const p = new OpenAiProvider({ apiKey: "not-needed", baseUrl: `${server.url}/v1` });
    await expect(p.complete({ model: "m", messages: start, tools: WEATHER_TOOLS })).rejects.toMatchObject({ code: "upstream_failed" });
    expect(server.requests).toHaveLength(1);
  });
});
