import { createRequire } from "node:module";
import type { FileValidation, ValidationError } from "@proximus/contracts/validate";

// Loaded without its typings: they pull in the DOM lib (`/// <reference lib="dom" />`), which breaks
// the Workers types of every program that imports this file (the agents' tests do).
const { parse } = createRequire(import.meta.url)("@cdktn/hcl2json") as { parse(filename: string, contents: string): Promise<unknown> };

/** Pinned in package.json; named in every answer so a caller knows which parser judged the file. */
export const HCL_VALIDATOR = "@cdktn/hcl2json 0.24.0 (hashicorp/hcl)";

/** Labels each top-level Terraform block type takes (Terraform's own configuration schema). */
const TERRAFORM_BLOCKS: Record<string, number> = {
  terraform: 0,
  locals: 0,
  provider: 1,
  variable: 1,
  output: 1,
  module: 1,
  resource: 2,
  data: 2,
  ephemeral: 2,
  check: 1,
  moved: 0,
  import: 0,
  removed: 0,
};
const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * hcl2json reports HCL's diagnostics as `parse config: [f.tf:2,7-3,1: Summary; Detail f.tf:4,1-2: …]`.
 * Each diagnostic starts at `<file>:<line>,<column>`; everything up to the next one is its text.
 */
export function diagnosticsOf(path: string, message: string): ValidationError[] {
  const text = message.replace(/^parse config: \[/, "").replace(/\]$/, "");
  const at = new RegExp(`(?:^|\\s)${escapeRe(path)}:(\\d+),(\\d+)(?:-(?:\\d+,)?\\d+)?: `, "g");
  const hits = [...text.matchAll(at)];
  if (hits.length === 0) return [{ message: text }];
  return hits.map((m, i) => {
    const end = i + 1 < hits.length ? hits[i + 1]!.index : text.length;
    return { line: Number(m[1]), column: Number(m[2]), message: text.slice(m.index + m[0].length, end).trim() };
  });
}

/** Line of the n-th (0-based) header `type "l1" "l2" {`, for messages the JSON form cannot place. */
function headerLine(src: string, type: string, labels: string[], nth = 0): number | undefined {
  const re = new RegExp(`^[ \\t]*${escapeRe(type)}${labels.map((l) => `[ \\t]+"?${escapeRe(l)}"?`).join("")}[ \\t]*\\{`, "gm");
  const m = [...src.matchAll(re)][nth];
  return m ? src.slice(0, m.index).split("\n").length : undefined;
}

/** Line where a top-level block or argument named `name` starts. */
function nameLine(src: string, name: string): number | undefined {
  const m = new RegExp(`^[ \\t]*${escapeRe(name)}(?=[\\s"={])`, "m").exec(src);
  return m ? src.slice(0, m.index).split("\n").length : undefined;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** hcl2json nests a block under its labels and ends in an array of bodies: resource.a.b = [{…}]. */
function blocksOf(node: unknown, labels: string[], out: { labels: string[]; bodies: number }[]): void {
  if (Array.isArray(node)) out.push({ labels, bodies: node.length });
  else if (isObj(node)) for (const [k, v] of Object.entries(node)) blocksOf(v, [...labels, k], out);
}

/** Terraform's structural rules on the parsed file: known block types, label counts, names, no duplicates. */
export function terraformErrors(src: string, doc: Json): ValidationError[] {
  const errors: ValidationError[] = [];
  for (const [type, value] of Object.entries(doc)) {
    const want = TERRAFORM_BLOCKS[type];
    if (want === undefined) {
      const line = nameLine(src, type);
      const allowed = Object.keys(TERRAFORM_BLOCKS).join(", ");
      const message = `unknown top-level block type or argument '${type}' (Terraform allows ${allowed})`;
      errors.push({ ...(line ? { line } : {}), message });
      continue;
    }
    const found: { labels: string[]; bodies: number }[] = [];
    blocksOf(value, [], found);
    for (const b of found) {
      const where = headerLine(src, type, b.labels);
      const at = where ? { line: where } : {};
      if (b.labels.length !== want) errors.push({ ...at, message: `'${type}' blocks take ${want} label(s), got ${b.labels.length}` });
      else if (b.labels.some((l) => !NAME.test(l))) errors.push({ ...at, message: `invalid name in '${[type, ...b.labels].join(" ")}'` });
      else if (want > 0 && b.bodies > 1) {
        const second = headerLine(src, type, b.labels, 1);
        errors.push({ ...(second ? { line: second } : {}), message: `duplicate ${[type, ...b.labels].join(".")}` });
      }
    }
  }
  return errors;
}

/** One Terraform file through HashiCorp's HCL parser (Go, compiled to WASM), then Terraform's structure rules. */
export async function validateTerraformFile(path: string, content: string): Promise<FileValidation> {
  let doc: Json;
  try {
    doc = (await parse(path, content)) as Json;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // hcl2json cannot put `resource "a" {}` and `resource "a" "b" {}` in one JSON tree: a label-count error.
    const mixed = /Unable to convert Block to JSON: ([\w-]+)((?:\.[\w-]+)*)$/.exec(message);
    if (mixed) {
      const want = TERRAFORM_BLOCKS[mixed[1]!];
      const line = headerLine(content, mixed[1]!, mixed[2]!.split(".").filter(Boolean));
      const rule = want === undefined ? `'${mixed[1]}' is not a Terraform block type` : `'${mixed[1]}' blocks take ${want} label(s)`;
      const error = { ...(line ? { line } : {}), message: `${rule}; '${mixed[1]}' blocks here have different label counts` };
      return { path, ok: false, validator: HCL_VALIDATOR, errors: [error] };
    }
    return { path, ok: false, validator: HCL_VALIDATOR, errors: diagnosticsOf(path, message) };
  }
  const errors = terraformErrors(content, doc);
  return { path, ok: errors.length === 0, validator: HCL_VALIDATOR, errors };
}
