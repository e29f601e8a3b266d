import { z } from "zod";
import { TOOLCHAIN_LAYER } from "./layer.generated";

/**
 * Which dependencies a generated project may declare: exactly the toolchain layer's packages at
 * the layer's versions. The sandbox has no network, so anything else could not be imported there;
 * and the project ships the layer's lockfile, so `npm ci` on a fresh machine only agrees with a
 * package.json that declares the same set (a removed one makes the lockfile out of sync too).
 */
export type LayerPackage = { name: string; version: string; dev: boolean };

export const LAYER_PACKAGES: readonly LayerPackage[] = [
  ...Object.entries(TOOLCHAIN_LAYER.dependencies).map(([name, version]) => ({ name, version, dev: false })),
  ...Object.entries(TOOLCHAIN_LAYER.devDependencies).map(([name, version]) => ({ name, version, dev: true })),
].sort((a, b) => a.name.localeCompare(b.name));

export type DependencyProblem =
  | { kind: "not_available"; name: string; requested: string }
  | { kind: "wrong_version"; name: string; requested: string; available: string }
  | { kind: "missing"; name: string; version: string };

export type DependencyCheck = {
  ok: boolean;
  problems: DependencyProblem[];
  /** Every package of the layer with its pinned version, for the error message and the prompt. */
  available: readonly LayerPackage[];
  /** One paragraph for the Engineer when not ok. */
  message: string | null;
};

const Deps = z.record(z.string(), z.string()).optional();
const PackageJson = z.object({ dependencies: Deps, devDependencies: Deps, optionalDependencies: Deps, peerDependencies: Deps }).loose();

/** Pure: checks a project's package.json (the parsed object or its text) against the layer. */
export function checkDependencies(packageJson: unknown): DependencyCheck {
  let value = packageJson;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch (e) {
      return fail([], `package.json is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const parsed = PackageJson.safeParse(value);
  if (!parsed.success) return fail([], `package.json: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const pkg = parsed.data;
  const declared = new Map<string, string>();
  for (const group of [pkg.dependencies, pkg.devDependencies, pkg.optionalDependencies])
    for (const [n, v] of Object.entries(group ?? {})) declared.set(n, v);
  const byName = new Map(LAYER_PACKAGES.map((p) => [p.name, p]));
  const problems: DependencyProblem[] = [];
  for (const [name, requested] of declared) {
    const layer = byName.get(name);
    if (!layer) problems.push({ kind: "not_available", name, requested });
    else if (requested !== layer.version) problems.push({ kind: "wrong_version", name, requested, available: layer.version });
  }
  for (const p of LAYER_PACKAGES) if (!declared.has(p.name)) problems.push({ kind: "missing", name: p.name, version: p.version });
  if (problems.length === 0) return { ok: true, problems, available: LAYER_PACKAGES, message: null };
  return fail(problems, problems.map(describe).join("; "));
}

function describe(p: DependencyProblem): string {
  switch (p.kind) {
    case "not_available":
      return `"${p.name}" is not in the toolchain layer (the sandbox has no network)`;
    case "wrong_version":
      return `"${p.name}" must be "${p.available}" (the layer's pin), not "${p.requested}"`;
    case "missing":
      return `"${p.name}": "${p.version}" was removed; keep every layer package (the project's lockfile is the layer's)`;
  }
}

function fail(problems: DependencyProblem[], what: string): DependencyCheck {
  const list = LAYER_PACKAGES.map((p) => `${p.name}@${p.version}${p.dev ? " (dev)" : ""}`).join(", ");
  return { ok: false, problems, available: LAYER_PACKAGES, message: `${what}. Available: ${list}.` };
}
