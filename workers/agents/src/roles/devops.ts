import { z } from "zod";
import type { ArtifactRef } from "@proximus/contracts";
import { terraformErrors, validateK8sManifests, validateWranglerConfig, type TerraformCheck } from "../devops-validate";
import { Summary, defaultLlm, storeText } from "./common";
import type { RoleDefinition, RoleRunContext } from "./types";

export const DevopsOutput = z.object({
  summary: Summary,
  wrangler: z.object({ format: z.enum(["jsonc", "toml"]), content: z.string().min(1).max(50_000) }),
  terraform: z.string().min(1).max(100_000).describe("main.tf (HCL)"),
  kubernetes: z.string().min(1).max(100_000).describe("Kubernetes manifests, YAML, documents separated by ---"),
  runbook: z.array(z.string().min(1).max(1000)).min(1).max(30).describe("Deployment steps, in order"),
});
export type DevopsOutput = z.infer<typeof DevopsOutput>;

/** The checks a Worker can run itself: wrangler config (smol-toml / jsonc-parser) and manifests (kubernetes-models). */
export function devopsErrors(o: DevopsOutput): string[] {
  return [...validateWranglerConfig(o.wrangler.content, o.wrangler.format), ...validateK8sManifests(o.kubernetes)];
}

/** All checks, HCL included (HashiCorp's parser on sandbox-host); a validator outage throws, failing the attempt as retryable. */
export async function devopsCheck(o: DevopsOutput, ctx: RoleRunContext): Promise<{ errors: string[]; hcl: TerraformCheck }> {
  const hcl = await terraformErrors(ctx.deps.validator, o.terraform);
  return { errors: [...devopsErrors(o), ...(hcl.validated ? hcl.errors : [])], hcl };
}

export const devops: RoleDefinition<DevopsOutput> = {
  role: "devops",
  title: "Deployment configuration",
  system:
    "You are the DevOps engineer. Produce deployment configuration for the project the engineers built: a production wrangler config " +
    "(JSONC or TOML, with name, main, compatibility_date and the D1 binding), Terraform (`main.tf`, Cloudflare provider: the D1 database and the Worker) " +
    "and Kubernetes manifests (a Deployment and a Service) for running the same app in a container. Every file is parsed and checked; invalid files fail the task.",
  schema: DevopsOutput,
  llm: defaultLlm("devops"),
  check: async (output, ctx) => (await devopsCheck(output, ctx)).errors,
  async finish(output, ctx) {
    // check() already ran in the repair loop; run it again so finish() can never store an invalid file.
    const { errors, hcl } = await devopsCheck(output, ctx);
    if (errors.length) return { ok: false, error: `invalid deployment files: ${errors.join("; ")}`, permanent: false, artifacts: [] };
    if (!hcl.validated) ctx.deps.emit("log", hcl.reason);
    const notes = hcl.validated ? [] : [hcl.reason];
    const warnings = notes.map((n) => `> **Warning:** ${n}\n\n`).join("");
    const runbook = `# Runbook\n\n${output.summary}\n\n${warnings}${output.runbook.map((s, i) => `${i + 1}. ${s}`).join("\n")}\n`;
    const artifacts: ArtifactRef[] = [
      await storeText(ctx, `deploy/wrangler.${output.wrangler.format}`, output.wrangler.content),
      await storeText(ctx, "deploy/terraform/main.tf", output.terraform),
      await storeText(ctx, "deploy/k8s/app.yaml", output.kubernetes),
      await storeText(ctx, "deploy/RUNBOOK.md", runbook),
    ];
    return {
      ok: true,
      output: {
        ...output,
        validated: { wrangler: true, terraform: hcl.validated, kubernetes: true },
        ...(hcl.validated ? { validators: { terraform: hcl.validator } } : {}),
        notes,
      },
      artifacts,
    };
  },
};
