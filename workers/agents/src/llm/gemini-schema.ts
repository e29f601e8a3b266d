/**
 * Gemini's `responseSchema` is an OpenAPI 3.0 subset, not JSON Schema: it rejects keys such as
 * `additionalProperties`, `$schema` or `const`, and expresses nullability with `nullable`. This
 * converts the JSON Schema our roles produce (zod's toJSONSchema) into that subset.
 */
type Json = Record<string, unknown>;

const KEEP = new Set([
  "format",
  "description",
  "title",
  "minItems",
  "maxItems",
  "minimum",
  "maximum",
  "minLength",
  "maxLength",
  "pattern",
  "minProperties",
  "maxProperties",
  "propertyOrdering",
]);

const TYPES: Record<string, string> = {
  string: "STRING",
  number: "NUMBER",
  integer: "INTEGER",
  boolean: "BOOLEAN",
  array: "ARRAY",
  object: "OBJECT",
};

function isObj(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function toGeminiSchema(schema: unknown): Json {
  if (!isObj(schema)) return {};
  const out: Json = {};
  let nullable = false;
  const t = schema.type;
  const types = Array.isArray(t) ? t.filter((x): x is string => typeof x === "string") : typeof t === "string" ? [t] : [];
  if (types.includes("null")) nullable = true;
  const concrete = types.filter((x) => x !== "null");
  if (concrete[0] && TYPES[concrete[0]]) out.type = TYPES[concrete[0]];

  for (const [k, v] of Object.entries(schema)) if (KEEP.has(k)) out[k] = v;

  if (Array.isArray(schema.enum)) {
    const values = schema.enum.filter((x) => x !== null);
    if (values.length !== schema.enum.length) nullable = true;
    out.enum = values.map(String);
    out.type = "STRING";
  } else if (schema.const !== undefined && schema.const !== null) {
    out.enum = [String(schema.const)];
    out.type = "STRING";
  }
  if (isObj(schema.properties)) {
    const props: Json = {};
    for (const [k, v] of Object.entries(schema.properties)) props[k] = toGeminiSchema(v);
    out.properties = props;
    out.type ??= "OBJECT";
    if (Array.isArray(schema.required)) out.required = schema.required.filter((r) => typeof r === "string" && r in props);
  }
  if (schema.items !== undefined) {
    out.items = toGeminiSchema(schema.items);
    out.type ??= "ARRAY";
  }
  const union = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : undefined;
  if (union) {
    const members = union.filter((m) => !(isObj(m) && m.type === "null"));
    if (members.length !== union.length) nullable = true;
    if (members.length === 1) Object.assign(out, toGeminiSchema(members[0]));
    else if (members.length > 1) out.anyOf = members.map(toGeminiSchema);
  }
  if (nullable) out.nullable = true;
  return out;
}
