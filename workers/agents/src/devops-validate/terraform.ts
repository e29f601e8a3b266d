import { HclError, parseHcl, type HclBlock } from "./hcl";

/** Labels each top-level Terraform block type takes. */
const TOP_LEVEL: Record<string, number> = { terraform: 0, locals: 0, provider: 1, variable: 1, output: 1, module: 1, resource: 2, data: 2, moved: 0, import: 0 };
const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Parses main.tf with the HCL parser and checks Terraform's structural rules. Returns errors (empty = valid). */
export function validateTerraform(src: string): string[] {
  let blocks: HclBlock[];
  try {
    const body = parseHcl(src);
    const attrs = Object.keys(body.attributes);
    if (attrs.length) return [`main.tf: top-level attributes are not allowed in Terraform (${attrs.join(", ")})`];
    blocks = body.blocks;
  } catch (e) {
    return [`main.tf: ${e instanceof HclError ? e.message : String(e)}`];
  }
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const b of blocks) {
    const where = `main.tf:${b.line}`;
    const want = TOP_LEVEL[b.type];
    if (want === undefined) {
      errors.push(`${where}: unknown top-level block type '${b.type}'`);
      continue;
    }
    if (b.labels.length !== want) errors.push(`${where}: '${b.type}' blocks take ${want} label(s), got ${b.labels.length}`);
    if (b.labels.some((l) => !NAME.test(l))) errors.push(`${where}: invalid label in '${b.type} ${b.labels.join(" ")}'`);
    const address = [b.type, ...b.labels].join(".");
    if (want > 0 && seen.has(address)) errors.push(`${where}: duplicate ${address}`);
    seen.add(address);
  }
  if (!blocks.some((b) => b.type === "resource")) errors.push("main.tf: declares no resources");
  return errors;
}
