import type { KilledReason } from "../../../contracts/sandbox";

/**
 * Tasks (threads count) one sandbox may hold. Measured under gVisor-ptrace (see README, Limits): an
 * idle sandbox is ~60 tasks of runsc's own (sentry, gofer, stubs), each node process ~11 more, so
 * `node --test` with 6 concurrent test files needs ~160; 512 leaves room for vitest-style workers
 * while a fork bomb still stops in well under a second.
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
