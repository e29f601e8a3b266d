import type { TestProject } from "vitest/node";
// @ts-expect-error plain ESM helper shared with the dev/test scripts
import { startSandboxHost } from "../../../scripts/lib/sandbox-host.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    sandboxUrl: string;
    sandboxSecret: string;
  }
}

/** The end-to-end tests need a real sandbox-host (gVisor) for QA to run generated tests. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const host = (await startSandboxHost()) as { url: string; secret: string; stop(): Promise<void> };
  project.provide("sandboxUrl", host.url);
  project.provide("sandboxSecret", host.secret);
  return () => host.stop();
}
