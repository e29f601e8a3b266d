import { AppError } from "../../../contracts/errors";
import { REPLAY_WINDOW_MS, verifyRequest } from "../../../contracts/sandbox";

/**
 * HMAC check plus replay defence: a signature is accepted once; the clock window bounds how long
 * we must remember it.
 */
export class RequestAuth {
  private seen = new Map<string, number>();

  constructor(private readonly secret: string) {}

  async verify(method: string, path: string, body: string, h: { timestamp: string | undefined; nonce: string | undefined; signature: string | undefined }, now = Date.now()): Promise<void> {
    const r = await verifyRequest(this.secret, method, path, body, h, now);
    if (!r.ok) throw new AppError("unauthorized", `request signature rejected: ${r.reason}`);
    this.prune(now);
    if (this.seen.has(r.signature)) throw new AppError("unauthorized", "request signature rejected: replayed request");
    this.seen.set(r.signature, now);
  }

  private prune(now: number): void {
    if (this.seen.size < 1000) return;
    for (const [sig, at] of this.seen) if (now - at > 2 * REPLAY_WINDOW_MS) this.seen.delete(sig);
  }
}
