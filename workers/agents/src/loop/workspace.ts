/**
 * The files an agent works on. Async because the real one lives in R2 with an index in the
 * ProjectDO; `MemoryWorkspace` is the in-memory one for tests and the simulator bench.
 * Every mutation bumps `version`; `changesSince(v)` tells the loop which paths a step touched.
 */
export interface WorkspaceFile {
  path: string;
  content: string;
}

export interface WorkspaceEntry {
  path: string;
  bytes: number;
}

export interface Workspace {
  list(): Promise<WorkspaceEntry[]>;
  /** null when the file does not exist. */
  read(path: string): Promise<string | null>;
  write(path: string, content: string): Promise<void>;
  /** false when there was nothing to delete. */
  delete(path: string): Promise<boolean>;
  /** Every file with its content, e.g. to send to a sandbox run. */
  snapshot(): Promise<WorkspaceFile[]>;
  /** Monotonic; increases by one per write or delete. */
  version(): Promise<number>;
  /** Paths written or deleted after version `v`, sorted, each once. */
  changesSince(v: number): Promise<string[]>;
  /**
   * Called by the loop after a step that changed files, so a persistent workspace can make that
   * step one stored version (R2 + index). Optional: the in-memory one versions every mutation.
   */
  endStep?(step: number, changedPaths: string[]): Promise<void>;
}

const encoder = new TextEncoder();

export function byteLength(s: string): number {
  return encoder.encode(s).byteLength;
}

/** Serialised form of a MemoryWorkspace (tests resume a loop on a workspace rebuilt from this). */
export interface MemoryWorkspaceState {
  files: Record<string, string>;
  log: { version: number; path: string }[];
}

export class MemoryWorkspace implements Workspace {
  private readonly files = new Map<string, string>();
  /** One entry per mutation: the version it produced and the path it touched. */
  private readonly log: { version: number; path: string }[] = [];

  constructor(initial: WorkspaceFile[] | Record<string, string> = []) {
    const entries = Array.isArray(initial) ? initial.map((f) => [f.path, f.content] as const) : Object.entries(initial);
    // Initial files are version 0: they are the starting point, not a change.
    for (const [p, c] of entries) this.files.set(p, c);
  }

  static fromJSON(state: MemoryWorkspaceState): MemoryWorkspace {
    const ws = new MemoryWorkspace(state.files);
    ws.log.push(...state.log);
    return ws;
  }

  toJSON(): MemoryWorkspaceState {
    return { files: Object.fromEntries(this.files), log: [...this.log] };
  }

  async list(): Promise<WorkspaceEntry[]> {
    return [...this.files.entries()].map(([path, c]) => ({ path, bytes: byteLength(c) })).sort((a, b) => a.path.localeCompare(b.path));
  }

  async read(path: string): Promise<string | null> {
    return this.files.get(path) ?? null;
  }

  async write(path: string, content: string): Promise<void> {
    this.files.set(path, content);
    this.bump(path);
  }

  async delete(path: string): Promise<boolean> {
    const had = this.files.delete(path);
    if (had) this.bump(path);
    return had;
  }

  async snapshot(): Promise<WorkspaceFile[]> {
    return [...this.files.entries()].map(([path, content]) => ({ path, content })).sort((a, b) => a.path.localeCompare(b.path));
  }

  async version(): Promise<number> {
    return this.log.at(-1)?.version ?? 0;
  }

  async changesSince(v: number): Promise<string[]> {
    return [...new Set(this.log.filter((e) => e.version > v).map((e) => e.path))].sort();
  }

  private bump(path: string): void {
    this.log.push({ version: (this.log.at(-1)?.version ?? 0) + 1, path });
  }
}
