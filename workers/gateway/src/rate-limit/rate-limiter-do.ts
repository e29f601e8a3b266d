import { DurableObject } from "cloudflare:workers";
import { take, type Bucket, type TakeResult } from "./bucket";

const WINDOW_MS = 60_000;

/**
 * One token bucket per key (`ip:…`, `user:…`, `auth-ip:…`), addressed by name. A DO gives every
 * key a single-threaded, globally consistent counter without a shared store. The bucket lives in
 * memory: if the object is evicted after idling, the bucket would have refilled by then anyway
 * (or nearly so), so persisting it would buy little and cost a write per request.
 */
export class RateLimiterDO extends DurableObject<Env> {
  private bucket: Bucket | undefined;

  async take(perMinute: number): Promise<TakeResult> {
    const r = take(this.bucket, perMinute, WINDOW_MS, Date.now());
    this.bucket = r.bucket;
    return r.result;
  }
}
