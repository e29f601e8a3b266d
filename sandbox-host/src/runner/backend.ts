import type { Isolation } from "@proximus/contracts/sandbox";
import { runQuiet } from "./launch";

export type BackendInfo = { isolation: Isolation; warning: string | null; platform: string };

export const BUBBLEWRAP_WARNING =
  "gVisor (runsc) is not available: running under bubblewrap, which shares the host kernel. This is weaker isolation.";

export async function runscAvailable(): Promise<string | null> {
  const r = await runQuiet(["runsc", "--version"], 5_000);
  return r.code === 0 ? (r.stdout.split("\n")[0] ?? "runsc") : null;
}

/** gVisor when present; bubblewrap only when runsc is missing (or forced), and then always with a warning. */
export async function detectBackend(force?: Isolation): Promise<BackendInfo> {
  const runsc = force === "bubblewrap" ? null : await runscAvailable();
  if (runsc) return { isolation: "gvisor", warning: null, platform: `${runsc} (ptrace)` };
  if (force === "gvisor") throw new Error("SANDBOX_FORCE_BACKEND=gvisor but runsc is not available");
  const bwrap = await runQuiet(["bwrap", "--version"], 5_000);
  if (bwrap.code !== 0) throw new Error("neither runsc nor bwrap is installed: refusing to run untrusted code");
  const warning = force === "bubblewrap" ? `${BUBBLEWRAP_WARNING} (forced by SANDBOX_FORCE_BACKEND)` : BUBBLEWRAP_WARNING;
  return { isolation: "bubblewrap", warning, platform: bwrap.stdout.trim() };
}
