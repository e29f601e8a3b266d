import { z } from "zod";
import { ROLE_REGISTRY, type ArtifactRef, type LlmConfig, type Role } from "@proximus/contracts";
import type { RoleRunContext } from "./types";

/** The role's default model from the role registry (contracts/roles.ts), at a low temperature. */
export function defaultLlm(role: Role): LlmConfig & { provider: "bedrock"; model: string; maxTokens: number } {
  return { ...ROLE_REGISTRY[role].defaultLlm, temperature: 0.2 };
}

export const Summary = z.string().min(1).max(4000).describe("One paragraph describing what this output is");

/** Relative, normalised file paths only: generated files end up in a zip and a sandbox workspace. */
export const SafePath = z
  .string()
  .min(1)
  .max(300)
  .regex(/^[A-Za-z0-9_.\-/]+$/, "path may only contain letters, digits, '_', '-', '.', '/'")
  .refine((p) => !p.startsWith("/") && !p.endsWith("/"), "path must be relative and name a file")
  .refine(
    (p) => p.split("/").every((seg) => seg !== "" && seg !== "." && seg !== ".."),
    "path must not contain empty, '.' or '..' segments",
  );

/** Stores one text artifact and returns its ref; every role uses this for its human-readable report. */
export async function storeText(ctx: RoleRunContext, path: string, body: string, contentType?: string): Promise<ArtifactRef> {
  const ref = await ctx.deps.artifacts.put(path, body, contentType);
  ctx.deps.emit("tool", `stored ${path} (${ref.bytes} bytes)`);
  return ref;
}

export function bullet(items: readonly string[]): string {
  return items.map((i) => `- ${i}`).join("\n");
}
