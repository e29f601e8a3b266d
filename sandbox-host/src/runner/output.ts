import { StringDecoder } from "node:string_decoder";

/**
 * Keeps the first `cap` bytes of a stream, counts the rest and drops it, so a run that prints
 * 100 MB costs the host 256 KiB. `onText` sees exactly the kept bytes, for streaming.
 */
export class CappedOutput {
  private chunks: Buffer[] = [];
  private kept = 0;
  total = 0;
  private decoder = new StringDecoder("utf8");

  constructor(
    private readonly cap: number,
    private readonly onText?: (text: string) => void,
  ) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    const room = this.cap - this.kept;
    if (room <= 0) return;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.chunks.push(part);
    this.kept += part.length;
    if (this.onText) {
      const text = this.decoder.write(part);
      if (text) this.onText(text);
    }
  }

  get truncated(): boolean {
    return this.total > this.kept;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
}
