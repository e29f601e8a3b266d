import type { KilledReason } from "@proximus/contracts/sandbox";

/**
 * Tasks (threads count) one sandbox may hold. Measured under gVisor-ptrace (README, Limits): an idle
 * sandbox is 56-58 tasks of runsc's own (sentry, gofer, stubs), each node process ~22 more, so a
 * node parent with 6 node children peaks at ~192 (the old 128 killed it). 512 leaves room for
 * ~20 node processes (vitest-style worker pools); a fork bomb reaches it in ~4 s and is killed then.
 */
export const DEFAULT_PIDS_LIMIT = 512;

/** The line appended to a killed run's stderr, naming the limit and its value. */
export function killedLine(reason: KilledReason, l: { timeoutMs: number; memoryBytes: number; pids: number; outputBytes: number }): string {
  const what: Record<KilledReason, string> = {
    timeout: `the run exceeded its timeout of ${l.timeoutMs} ms`,
    memory: `the run exceeded its memory limit of ${Math.round(l.memoryBytes / 1024 / 1024)} MiB`,
    output_limit: `the run wrote more than the hard output limit of ${l.outputBytes} bytes`,
    pids: `the run reached the limit of ${l.pids} processes/threads (sandbox's own included; SANDBOX_PIDS_LIMIT)`,
  };
  return `\n[sandbox] killed (${reason}): ${what[reason]}\n`;
}
