import type { ProjectEvent } from "@proximus/contracts/events";

/**
 * Delivers a project's events exactly once and in seq order, whatever mix of replays, reconnects
 * and HTTP gap fills they arrive from. Seqs are dense (each project's log increases by 1), so an
 * event ahead of `lastSeq + 1` means something was lost: it is held until the gap is filled.
 */
export class SeqGate {
  private last: number;
  private readonly held = new Map<number, ProjectEvent>();

  constructor(lastSeq = 0) {
    this.last = lastSeq;
  }

  /** Highest seq delivered so far: the `since` to resume from. */
  get lastSeq(): number {
    return this.last;
  }

  /** True while some event is held back waiting for an earlier, missing one. */
  get hasGap(): boolean {
    return this.held.size > 0;
  }

  /** Returns the events that became deliverable, in order; duplicates and stale events are dropped. */
  accept(event: ProjectEvent): ProjectEvent[] {
    if (event.seq <= this.last || this.held.has(event.seq)) return [];
    this.held.set(event.seq, event);
    const out: ProjectEvent[] = [];
    for (let next = this.held.get(this.last + 1); next; next = this.held.get(this.last + 1)) {
      this.held.delete(next.seq);
      this.last = next.seq;
      out.push(next);
    }
    return out;
  }

  acceptAll(events: readonly ProjectEvent[]): ProjectEvent[] {
    return events.flatMap((e) => this.accept(e));
  }
}
