import { afterEach, describe, expect, it } from "vitest";
import type { ChatMessage, CompletionRequest, LlmProvider } from "./types";
import { AnthropicProvider } from "./anthropic";
import { BedrockProvider } from "./bedrock";
import { GeminiProvider } from "./gemini";
import { OpenAiProvider } from "./openai";
import { anthropicToolServer } from "./testing/anthropic-server.node";
import { bedrockToolServer } from "./testing/bedrock-server.node";
import { geminiToolServer, signatureFor } from "./testing/gemini-server.node";
import { openAiToolServer } from "./testing/openai-server.node";
import { WEATHER_TOOLS, weatherBrain } from "./testing/scripted-model.node";
import { sendSse, startServer, type Handler, type LocalServer } from "./testing/server.node";

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const AWS = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "eu-central-1" };

interface Vendor {
  name: string;
  model: string;
  handler: Handler;
  provider(url: string): LlmProvider;
  /** Whether the vendor carries the tool result's error flag (OpenAI has none). */
  errorFlag: boolean;
  /** The tool_choice / mode the vendor gets for "required". */
  required: (body: Record<string, unknown>) => unknown;
  requiredValue: unknown;
}

const vendors: Vendor[] = [
  {
    name: "openai",
    model: "gpt-4o-mini",
    handler: openAiToolServer(weatherBrain),
    provider: (url) => new OpenAiProvider({ apiKey: "sk-test-tools-0000000000", baseUrl: `${url}/v1` }),
    errorFlag: false,
    required: (b) => b.tool_choice,
    requiredValue: "required",
  },
  {
    name: "anthropic",
    model: "claude-haiku-4-5",
    handler: anthropicToolServer(weatherBrain),
    provider: (url) => new AnthropicProvider({ apiKey: "sk-ant-test-tools", baseUrl: url }),
    errorFlag: true,
    required: (b) => b.tool_choice,
    requiredValue: { type: "any" },
  },
  {
    name: "bedrock",
    model: "amazon.nova-lite-v1:0",
    handler: bedrockToolServer(weatherBrain, AWS),
    provider: (url) => new BedrockProvider({ ...AWS, endpoint: url }),
    errorFlag: true,
    required: (b) => (b.toolConfig as { toolChoice?: unknown }).toolChoice,
    requiredValue: { any: {} },
  },
  {
    name: "gemini",
    model: "gemini-2.5-flash",
    handler: geminiToolServer(weatherBrain),
    provider: (url) => new GeminiProvider({ apiKey: "AIzaSyTEST-tools-000000000000000", baseUrl: url }),
    errorFlag: true,
    required: (b) => (b.toolConfig as { functionCallingConfig?: { mode?: string } }).functionCallingConfig?.mode,
    requiredValue: "ANY",
  },
];

const start: ChatMessage[] = [
  { role: "system", content: "You answer questions about cities." },
  { role: "user", content: "Weather and time in Paris?" },
];

describe.each(vendors)("native tool calling: $name", (v) => {
  for (const streaming of [false, true]) {
    it(`call → tool results (one failed) → final answer, ${streaming ? "streaming" : "non-streaming"}`, async () => {
      server = await startServer(v.handler);
      const p = v.provider(server.url);
      const tokens: string[] = [];
      const base: Omit<CompletionRequest, "messages"> = {
        model: v.model,
        tools: WEATHER_TOOLS,
        ...(streaming ? { onToken: (t: string) => tokens.push(t) } : {}),
      };

      const first = await p.complete({ ...base, messages: start });
      expect(first.stopReason).toBe("tool_calls");
      expect(first.text).toBe("Let me check.");
      expect(first.toolCalls?.map((c) => [c.name, JSON.parse(c.arguments)])).toEqual([
        ["get_weather", { city: "Paris" }],
        ["get_time", { city: "Paris" }],
      ]);
      const [w, t] = first.toolCalls!;
      expect(w!.id).not.toBe(t!.id);
      if (streaming) expect(tokens.join("")).toBe("Let me check.");

      const history: ChatMessage[] = [
        ...start,
        { role: "assistant", content: first.text, toolCalls: first.toolCalls! },
        // Results in a different order than the calls: each vendor must still pair them.
        { role: "tool", toolCallId: t!.id, name: "get_time", content: "clock offline", isError: true },
        { role: "tool", toolCallId: w!.id, name: "get_weather", content: "21C sunny" },
      ];
      const second = await p.complete({ ...base, messages: history });
      expect(second.stopReason).toBe("end");
      expect(second.toolCalls).toEqual([]);
      const failed = v.errorFlag ? " (failed)" : "";
      if (v.name === "gemini") {
        // Gemini pairs results with calls by position: they are sent in call order.
        expect(second.text).toBe(`Paris: get_weather=21C sunny; get_time=clock offline${failed}`);
      } else {
        expect(second.text).toBe(`Paris: get_time=clock offline${failed}; get_weather=21C sunny`);
      }
      expect(server.requests).toHaveLength(2);
    });
  }

  it("repairs a history the vendor would reject: an orphan result becomes text, an unanswered call gets a not-run error", async () => {
    server = await startServer(v.handler);
    const p = v.provider(server.url);
    const first = await p.complete({ model: v.model, tools: WEATHER_TOOLS, messages: start });
    const [w, t] = first.toolCalls!;
    const history: ChatMessage[] = [
      ...start,
      // A result whose call was compacted away.
      { role: "tool", toolCallId: "call_gone", name: "get_weather", content: "old result" },
      { role: "assistant", content: first.text, toolCalls: first.toolCalls! },
      // Only the first call was answered before the person intervened.
      { role: "tool", toolCallId: w!.id, name: "get_weather", content: "21C" },
      { role: "user", content: "Stop, just tell me the weather." },
    ];
    const r = await p.complete({ model: v.model, tools: WEATHER_TOOLS, messages: history });
    expect(r.provider).toBe(v.name);
    expect(t).toBeDefined();
    expect(server.requests).toHaveLength(2);
  });

  it("asks for a required tool call in the vendor's words", async () => {
    server = await startServer(v.handler);
    await v.provider(server.url).complete({ model: v.model, tools: WEATHER_TOOLS, toolChoice: "required", messages: start });
    expect(v.required(server.requests[0]!.json())).toEqual(v.requiredValue);
  });
});

describe("tool wire shapes", () => {
  it("OpenAI: tools as functions, assistant tool_calls with null content, role tool with tool_call_id", async () => {
    server = await startServer(openAiToolServer(weatherBrain));
    const p = new OpenAiProvider({ apiKey: "sk-test-tools-0000000000", baseUrl: `${server.url}/v1` });
    const call = { id: "call_9", name: "get_weather", arguments: '{"city":"Oslo"}' };
    await p.complete({
      model: "m",
      tools: WEATHER_TOOLS,
      messages: [
        ...start,
        { role: "assistant", content: "", toolCalls: [call] },
        { role: "tool", toolCallId: "call_9", name: "get_weather", content: "-3C" },
      ],
    });
    const body = server.requests[0]!.json();
    expect(body.tools).toEqual(WEATHER_TOOLS.map((t) => ({ type: "function", function: t })));
    expect(body.tool_choice).toBe("auto");
    expect((body.messages as unknown[]).slice(2)).toEqual([
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_9", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } }],
      },
      { role: "tool", tool_call_id: "call_9", content: "-3C" },
    ]);
  });

  it("Anthropic: tool_use input as an object, tool_result with is_error first in the user turn", async () => {
    server = await startServer(anthropicToolServer(weatherBrain));
    const p = new AnthropicProvider({ apiKey: "k", baseUrl: server.url });
    await p.complete({
      model: "m",
      tools: WEATHER_TOOLS,
      messages: [
        ...start,
        { role: "assistant", content: "", toolCalls: [{ id: "toolu_1", name: "get_weather", arguments: "{not json" }] },
        { role: "tool", toolCallId: "toolu_1", name: "get_weather", content: "bad arguments", isError: true },
        { role: "user", content: "Try again." },
      ],
    });
    const body = server.requests[0]!.json();
    expect(body.tools).toEqual(WEATHER_TOOLS.map((t) => ({ name: t.name, description: t.description, input_schema: t.parameters })));
    expect((body.messages as unknown[]).slice(1)).toEqual([
      { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: {} }] },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_1", content: "bad arguments", is_error: true },
          { type: "text", text: "Try again." },
        ],
      },
    ]);
  });

  it("Bedrock: toolSpec.inputSchema.json, toolUse / toolResult blocks with status error", async () => {
    server = await startServer(bedrockToolServer(weatherBrain, AWS));
    const p = new BedrockProvider({ ...AWS, endpoint: server.url });
    await p.complete({
      model: "amazon.nova-lite-v1:0",
      tools: WEATHER_TOOLS,
      messages: [
        ...start,
        { role: "assistant", content: "", toolCalls: [{ id: "tooluse_1", name: "get_weather", arguments: '{"city":"Oslo"}' }] },
        { role: "tool", toolCallId: "tooluse_1", name: "get_weather", content: "timeout", isError: true },
      ],
    });
    const body = server.requests[0]!.json();
    expect(body.toolConfig).toEqual({
      tools: WEATHER_TOOLS.map((t) => ({ toolSpec: { name: t.name, description: t.description, inputSchema: { json: t.parameters } } })),
      toolChoice: { auto: {} },
    });
    expect((body.messages as unknown[]).slice(1)).toEqual([
      { role: "assistant", content: [{ toolUse: { toolUseId: "tooluse_1", name: "get_weather", input: { city: "Oslo" } } }] },
      { role: "user", content: [{ toolResult: { toolUseId: "tooluse_1", content: [{ text: "timeout" }], status: "error" } }] },
    ]);
  });

  it("Bedrock: an empty tool output is sent as a non-blank text (Converse rejects blank text)", async () => {
    server = await startServer(bedrockToolServer(weatherBrain, AWS));
    const p = new BedrockProvider({ ...AWS, endpoint: server.url });
    const call = { id: "tooluse_1", name: "get_weather", arguments: '{"city":"Oslo"}' };
    const r = await p.complete({
      model: "amazon.nova-lite-v1:0",
      tools: WEATHER_TOOLS,
      messages: [
        ...start,
        { role: "assistant", content: "", toolCalls: [call] },
        { role: "tool", toolCallId: "tooluse_1", name: "get_weather", content: "" },
      ],
    });
    expect(r.text).toBe("Paris: get_weather=(no output)");
  });

  it("Gemini: functionDeclarations in the schema subset, functionCall with its thoughtSignature, functionResponse output/error", async () => {
    server = await startServer(geminiToolServer(weatherBrain));
    const p = new GeminiProvider({ apiKey: "AIzaSyTEST-tools-000000000000000", baseUrl: server.url });
    const first = await p.complete({ model: "gemini-2.5-flash", tools: WEATHER_TOOLS, messages: start });
    expect(first.toolCalls?.[0]?.signature).toBe(signatureFor("get_weather"));
    expect(first.toolCalls?.[0]?.id).toMatch(/^gemini-call-/);
    await p.complete({
      model: "gemini-2.5-flash",
      tools: WEATHER_TOOLS,
      messages: [
        ...start,
        { role: "assistant", content: first.text, toolCalls: first.toolCalls! },
        { role: "tool", toolCallId: first.toolCalls![0]!.id, name: "get_weather", content: "21C" },
        { role: "tool", toolCallId: first.toolCalls![1]!.id, name: "get_time", content: "no clock", isError: true },
      ],
    });
    const body = server.requests[1]!.json();
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: "get_weather",
            description: "Current weather of a city",
            parameters: { type: "OBJECT", properties: { city: { type: "STRING" } }, required: ["city"] },
          },
          {
            name: "get_time",
            description: "Local time of a city",
            parameters: { type: "OBJECT", properties: { city: { type: "STRING" } }, required: ["city"] },
          },
        ],
      },
    ]);
    expect(body.toolConfig).toEqual({ functionCallingConfig: { mode: "AUTO" } });
    expect((body.contents as unknown[]).slice(1)).toEqual([
      {
        role: "model",
        parts: [
          { text: "Let me check." },
          { functionCall: { name: "get_weather", args: { city: "Paris" } }, thoughtSignature: signatureFor("get_weather") },
          { functionCall: { name: "get_time", args: { city: "Paris" } }, thoughtSignature: signatureFor("get_time") },
        ],
      },
      {
        role: "user",
        parts: [
          { functionResponse: { name: "get_weather", response: { output: "21C" } } },
          { functionResponse: { name: "get_time", response: { error: "no clock" } } },
        ],
      },
    ]);
  });

  it("Gemini: a vendor-sent call id is kept and echoed in the functionResponse", async () => {
    const seen: unknown[] = [];
    server = await startServer(async (req, res, i) => {
      seen.push(req.json().contents);
      const parts = i === 0 ? [{ functionCall: { id: "fc-77", name: "get_time", args: { city: "Rome" } } }] : [{ text: "ok" }];
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          candidates: [{ content: { role: "model", parts }, finishReason: "STOP" }],
          usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1 },
        }),
      );
    });
    const p = new GeminiProvider({ apiKey: "AIzaSyTEST-tools-000000000000000", baseUrl: server.url });
    const first = await p.complete({ model: "gemini-2.5-flash", tools: WEATHER_TOOLS, messages: start });
    expect(first.toolCalls).toEqual([{ id: "fc-77", name: "get_time", arguments: '{"city":"Rome"}' }]);
    await p.complete({
      model: "gemini-2.5-flash",
      tools: WEATHER_TOOLS,
      messages: [
        ...start,
        { role: "assistant", content: "", toolCalls: first.toolCalls! },
        { role: "tool", toolCallId: "fc-77", name: "get_time", content: "9:00" },
      ],
    });
    expect((seen[1] as unknown[]).slice(1)).toEqual([
      { role: "model", parts: [{ functionCall: { id: "fc-77", name: "get_time", args: { city: "Rome" } } }] },
      { role: "user", parts: [{ functionResponse: { id: "fc-77", name: "get_time", response: { output: "9:00" } } }] },
    ]);
  });

  it("Gemini: a tool without arguments is declared without parameters (an empty OBJECT is rejected)", async () => {
    server = await startServer(geminiToolServer(weatherBrain));
    const p = new GeminiProvider({ apiKey: "AIzaSyTEST-tools-000000000000000", baseUrl: server.url });
    const listFiles = {
      name: "list_files",
      description: "List the workspace",
      parameters: { type: "object", properties: {}, additionalProperties: false },
    };
    await p.complete({ model: "gemini-2.5-flash", tools: [...WEATHER_TOOLS, listFiles], messages: start });
    const decls = (server.requests[0]!.json().tools as { functionDeclarations: Record<string, unknown>[] }[])[0]!.functionDeclarations;
    expect(decls[2]).toEqual({ name: "list_files", description: "List the workspace" });
  });

  it("OpenAI-compatible stream without `index` or ids (older Ollama): each whole call is its own call with a unique id", async () => {
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
      JSON.stringify({
        id: "c",
        object: "chat.completion.chunk",
        created: 1,
        model: "llama3.1",
        choices: [{ index: 0, delta, finish_reason: finish }],
      });
    server = await startServer((_req, res) =>
      sendSse(res, [
        { data: chunk({ role: "assistant", content: "" }) },
        {
          data: chunk({
            tool_calls: [{ id: "call_a", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }],
          }),
        },
        {
          data: chunk({ tool_calls: [{ id: "call_b", type: "function", function: { name: "get_time", arguments: '{"city":"Paris"}' } }] }),
        },
        { data: chunk({ tool_calls: [{ type: "function", function: { name: "get_time", arguments: '{"city":"Rome"}' } }] }) },
        { data: chunk({}, "tool_calls") },
        { data: "[DONE]" },
      ]),
    );
    const p = new OpenAiProvider({ apiKey: "x", baseUrl: `${server.url}/v1` });
    const r = await p.complete({ model: "llama3.1", tools: WEATHER_TOOLS, messages: start, onToken: () => undefined });
    expect(r.toolCalls?.map((c) => [c.id, c.name, c.arguments])).toEqual([
      ["call_a", "get_weather", '{"city":"Paris"}'],
      ["call_b", "get_time", '{"city":"Paris"}'],
      [expect.stringMatching(/^call_[0-9a-f]{24}$/), "get_time", '{"city":"Rome"}'],
    ]);
    expect(r.stopReason).toBe("tool_calls");
  });
});
