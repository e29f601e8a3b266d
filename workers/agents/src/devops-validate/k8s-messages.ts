import type { SchemaError } from "./k8s-schemas";

/** JSON Pointer `/spec/containers/0/env` → `spec.containers[0].env`; odd keys (labels with dots) in brackets. */
export function jsonPath(pointer: string): string {
  const parts = pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  let out = "";
  for (const p of parts) {
    if (/^\d+$/.test(p)) out += `[${p}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(p)) out += out ? `.${p}` : p;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out;
}

const TYPE_NAMES: Record<string, string> = {
  array: "a list",
  object: "a mapping",
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "a boolean",
};
const FORMAT_NAMES: Record<string, string> = {
  quantity: "a quantity such as 500m or 128Mi",
  "int-or-string": "a port number or name",
  "date-time": "an RFC 3339 date-time",
};

function typeName(t: unknown): string {
  return TYPE_NAMES[String(t)] ?? String(t);
}

function describeValue(v: unknown): string {
  if (Array.isArray(v)) return "a list";
  if (v === null) return "null";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  return String(v);
}

function valueAt(root: unknown, pointer: string): unknown {
  let cur: unknown = root;
  for (const p of pointer.split("/").slice(1)) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[p.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return cur;
}

function one(e: SchemaError): string {
  const p = e.params;
  switch (e.keyword) {
    case "enum":
      return `must be one of ${(p.allowedValues as unknown[]).map(String).join(", ")}`;
    case "type":
      return `must be ${String(p.type).split(",").map(typeName).join(" or ")}`;
    case "format":
      return `must be ${FORMAT_NAMES[String(p.format)] ?? `in ${String(p.format)} format`}`;
    case "additionalProperties":
      return `has an unknown field '${String(p.additionalProperty)}'`;
    default:
      return e.message ?? `fails the schema's '${e.keyword}' rule`;
  }
}

/**
 * One message per failing path. `required` names the missing child's own path; a failed oneOf/anyOf
 * (IntOrString, Quantity) is folded into "must be X or Y" from its branches' errors.
 */
export function schemaMessages(errors: SchemaError[], doc: unknown): string[] {
  const byPath = new Map<string, SchemaError[]>();
  for (const e of errors) {
    if (e.keyword === "required") {
      const child = `${e.instancePath}/${String(e.params.missingProperty).replace(/~/g, "~0").replace(/\//g, "~1")}`;
      byPath.set(child, [...(byPath.get(child) ?? []), e]);
    } else byPath.set(e.instancePath, [...(byPath.get(e.instancePath) ?? []), e]);
  }
  const out: string[] = [];
  for (const [pointer, errs] of byPath) {
    const where = jsonPath(pointer) || "(document)";
    if (errs.some((e) => e.keyword === "required")) {
      out.push(`${where} is required`);
      continue;
    }
    const branches = errs.filter((e) => e.keyword !== "oneOf" && e.keyword !== "anyOf");
    const joiner = errs.length > branches.length ? " or " : "; ";
    const got = valueAt(doc, pointer);
    const aboutValue = errs.some((e) => e.keyword === "type" || e.keyword === "format");
    const shown = aboutValue && got !== undefined ? ` (got ${describeValue(got)})` : "";
    out.push(`${where} ${[...new Set(branches.map(one))].join(joiner).replace(/ or must be /g, " or ")}${shown}`);
  }
  return out;
}
