import { AppError } from "@proximus/contracts/errors";
import { REPLAY_WINDOW_MS, verifyRequestHead, type SignedHead } from "@proximus/contracts/sandbox";

/**
 * HMAC check plus replay defence: a signature is accepted once; the clock window bounds how long
 * we must remember it. The seen set lives in memory only, so a restart would forget it: requests
 * signed before this process started are refused instead (see README, "Replay protection"). That
 * needs no disk write per request and no file to trust; the cost is that a request in flight across
 * a restart is refused once (the client re-signs every attempt).
 */
export class RequestAuth {
  private seen = new Map<string, number>();

  constructor(
    private readonly secret: string,
    /** Signatures older than this were made before we could remember them. */
    private readonly notBefore = Date.now(),
  ) {}

  async verifyHead(method: string, path: string, head: SignedHead, now = Date.now()): Promise<void> {
    const r = await verifyRequestHead(this.secret, method, path, head, now);
    if (!r.ok) throw new AppError("unauthorized", `request signature rejected: ${r.reason}`);
    if (Number(head.timestamp) < this.notBefore) {
      throw new AppError("unauthorized", "request signature rejected: signed before this sandbox-host started");
    }
    this.prune(now);
    if (this.seen.has(r.signature)) throw new AppError("unauthorized", "request signature rejected: replayed request");
    this.seen.set(r.signature, now);
  }

  private prune(now: number): void {
    if (this.seen.size < 1000) return;
    for (const [sig, at] of this.seen) if (now - at > 2 * REPLAY_WINDOW_MS) this.seen.delete(sig);
  }
}
