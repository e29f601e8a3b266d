/** Vector helpers shared by the stores: cosine scoring, a bounded top-k and a portable byte encoding. */

export function l2normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  if (sum === 0) return v;
  const inv = 1 / Math.sqrt(sum);
  for (let i = 0; i < v.length; i++) v[i] = v[i]! * inv;
  return v;
}

/** Cosine similarity; 0 when either vector is all zeros or the lengths differ (different vector spaces). */
export function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** Keeps the k best-scoring entries seen so far; memory is O(k) whatever the number of offers. */
export class TopK<T> {
  private readonly items: { score: number; value: T }[] = [];
  constructor(private readonly k: number) {}

  offer(score: number, value: T): void {
    if (this.k <= 0) return;
    const full = this.items.length >= this.k;
    if (full && score <= this.items[this.items.length - 1]!.score) return;
    let i = this.items.length;
    while (i > 0 && this.items[i - 1]!.score < score) i--;
    this.items.splice(i, 0, { score, value });
    if (this.items.length > this.k) this.items.pop();
  }

  /** Best first. */
  result(): { score: number; value: T }[] {
    return [...this.items];
  }
}

/** Little-endian float32 bytes, whatever the host's byte order, so stored blobs read back the same everywhere. */
export function encodeVector(v: Float32Array): Uint8Array {
  const out = new Uint8Array(v.length * 4);
  const view = new DataView(out.buffer);
  v.forEach((x, i) => view.setFloat32(i * 4, x, true));
  return out;
}

export function decodeVector(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % 4 !== 0) throw new RangeError(`a float32 vector blob has ${bytes.byteLength} bytes, not a multiple of 4`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
