import { describe, expect, it } from "vitest";
import { memoryArtifactStore } from "../artifacts";
import { taskMessage } from "../offline/pipeline";
import { OfflineProvider } from "../offline/provider";
import { runTask, type AgentDeps } from "../runtime";
import type { FileValidator } from "../tools/validate-client";
import { validateFiles } from "../../../../sandbox-host/src/validate/hcl-files";
import { TERRAFORM_NOT_VALIDATED } from "../devops-validate";

function deps(over: Partial<AgentDeps> = {}): AgentDeps & { events: [string, string][]; store: ReturnType<typeof memoryArtifactStore> } {
  const events: [string, string][] = [];
  const store = memoryArtifactStore("p/devops/1/");
  let t = 1;
  return {
    events,
    store,
    resolveProvider: () => ({ provider: new OfflineProvider(), model: "offline" }),
    artifacts: store,
    emit: (k, x) => events.push([k, x]),
    sandbox: null,
    now: () => t++,
    ...over,
  };
}

const msg = () => taskMessage("an inventory tracker for a bakery with suppliers", "devops", new Map(), []);
const runbookOf = (d: ReturnType<typeof deps>) =>
  new TextDecoder().decode([...d.store.objects.entries()].find(([k]) => k.endsWith("RUNBOOK.md"))![1]);

describe("DevOps role and HCL validation", () => {
  it("with sandbox-host's validator, main.tf is checked by HashiCorp's parser and marked validated", async () => {
    const seen: string[] = [];
    const validator: FileValidator = {
      validate: async (files) => {
        seen.push(...files.map((f) => f.path));
        return (await validateFiles({ files })).files;
      },
    };
    const d = deps({ validator });
    const r = await runTask(msg(), d);
    expect(r.status).toBe("succeeded");
    expect(seen).toContain("main.tf");
    expect(r.output).toMatchObject({
      validated: { terraform: true },
      validators: { terraform: expect.stringContaining("hashicorp/hcl") },
      notes: [],
    });
    expect(runbookOf(d)).not.toContain("NOT validated");
  });

  it("without a sandbox host says main.tf was not validated, in the output, the log and the runbook", async () => {
    const d = deps();
    const r = await runTask(msg(), d);
    expect(r.status).toBe("succeeded");
    expect(r.output).toMatchObject({ validated: { terraform: false }, notes: [TERRAFORM_NOT_VALIDATED] });
    expect(d.events).toContainEqual(["log", TERRAFORM_NOT_VALIDATED]);
    expect(runbookOf(d)).toContain(TERRAFORM_NOT_VALIDATED);
  });

  it("a validator outage fails the attempt as retryable instead of storing main.tf unchecked", async () => {
    const d = deps({ validator: { validate: async () => Promise.reject(new Error("ECONNREFUSED")) } });
    const r = await runTask(msg(), d);
    expect(r).toMatchObject({ status: "failed", permanent: false, error: expect.stringContaining("ECONNREFUSED") });
    expect(r.artifacts).toEqual([]);
  });
});
