import { describe, expect, it } from "vitest";
import { toGeminiSchema } from "./gemini-schema";

describe("toGeminiSchema", () => {
  it("turns zod-style JSON Schema into Gemini's OpenAPI subset", () => {
    const schema = {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      additionalProperties: false,
      properties: {
        kind: { type: "string", enum: ["a", "b"] },
        fixed: { const: "v1" },
        tags: { type: "array", items: { type: "string", minLength: 1 }, maxItems: 5 },
        maybe: { anyOf: [{ type: "integer", minimum: 0 }, { type: "null" }] },
        either: { anyOf: [{ type: "string" }, { type: "number" }] },
      },
      required: ["kind", "tags", "ghost"],
    };
    expect(toGeminiSchema(schema)).toEqual({
      type: "OBJECT",
      properties: {
        kind: { type: "STRING", enum: ["a", "b"] },
        fixed: { type: "STRING", enum: ["v1"] },
        tags: { type: "ARRAY", items: { type: "STRING", minLength: 1 }, maxItems: 5 },
        maybe: { type: "INTEGER", minimum: 0, nullable: true },
        either: { anyOf: [{ type: "STRING" }, { type: "NUMBER" }] },
      },
      required: ["kind", "tags"],
    });
  });
});
