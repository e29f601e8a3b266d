/**
 * What an agent needs from a sandbox: run files + a command, get the real outcome. The HTTP
 * client to sandbox-host implements it; so do test runners. No Worker-only types here, so Node
 * code can implement it too.
 */
export interface SandboxRunner {
  /** `traceparent` goes to sandbox-host as the W3C header of that request. */
  run(
    req: { files: { path: string; content: string }[]; command: string[]; runtime: "node" | "python"; timeoutMs: number },
    opts?: { traceparent?: string },
  ): Promise<{
    exitCode: number | null;
    stdout: string;
    stderr: string;
    timedOut: boolean;
    killedReason?: string;
    durationMs: number;
    isolation: string;
  }>;
}
