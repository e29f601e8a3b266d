/**
 * Finds the supervisor's end-of-stream marker (`\0PXSB:<nonce>:<payload>\n`) in a stream and
 * passes everything before it on. Bytes that might be the start of a split marker are held back
 * until the next chunk shows what they are, so a client never sees a piece of one; `flush()`
 * releases them when the stream ends without a marker (the sandbox died).
 */
export class MarkerScanner {
  private readonly prefix: Buffer;
  private held: Buffer = Buffer.alloc(0);
  private found = false;

  constructor(
    nonce: string,
    private readonly sink: (b: Buffer) => void,
    private readonly onMarker: (payload: string) => void,
  ) {
    this.prefix = Buffer.from(`\0PXSB:${nonce}:`);
  }

  get done(): boolean {
    return this.found;
  }

  push(chunk: Buffer): void {
    // Nothing the job writes can follow the marker (the supervisor killed it first); drop stragglers.
    if (this.found) return;
    const buf = this.held.length ? Buffer.concat([this.held, chunk]) : chunk;
    this.held = Buffer.alloc(0);
    const at = buf.indexOf(this.prefix);
    if (at >= 0) {
      const nl = buf.indexOf(0x0a, at + this.prefix.length);
      if (at > 0) this.sink(buf.subarray(0, at));
      if (nl < 0) {
        this.held = Buffer.from(buf.subarray(at));
        return;
      }
      this.found = true;
      this.onMarker(buf.subarray(at + this.prefix.length, nl).toString("utf8"));
      return;
    }
    const keep = this.partialPrefixAt(buf);
    if (keep > 0) this.sink(buf.subarray(0, keep));
    if (keep < buf.length) this.held = Buffer.from(buf.subarray(keep));
  }

  /** Where a suffix of `buf` that is a proper prefix of the marker begins (buf.length if none). */
  private partialPrefixAt(buf: Buffer): number {
    const from = Math.max(0, buf.length - (this.prefix.length - 1));
    for (let i = buf.indexOf(0, from); i >= 0; i = buf.indexOf(0, i + 1)) {
      const tail = buf.subarray(i);
      if (this.prefix.subarray(0, tail.length).equals(tail)) return i;
    }
    return buf.length;
  }

  flush(): void {
    if (this.held.length && !this.found) this.sink(this.held);
    this.held = Buffer.alloc(0);
  }
}

/** Exit code of a job from the supervisor's `exit N` / `signal N` status, shell-style for signals. */
export function exitCodeOf(status: string): number | null {
  const m = /^(exit|signal) (\d{1,3})$/.exec(status);
  if (!m) return null;
  const n = Number(m[2]);
  return m[1] === "exit" ? n : 128 + n;
}
