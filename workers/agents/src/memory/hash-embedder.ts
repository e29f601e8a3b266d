import type { Embedder } from "./types";
import { l2normalize } from "./vector";

/**
 * The offline embedder — NOT an AI model. It hashes word unigrams and bigrams into a fixed number
 * of signed buckets (the "hashing trick") and L2-normalises the result, so cosine similarity
 * measures shared vocabulary. Deterministic and free; it finds "the same words", not "the same
 * meaning". Configure an embeddings endpoint for real semantic recall.
 */
export const HASH_EMBEDDER_DIMENSIONS = 256;

/** Function words carry no topic; left in, they make every pair of English texts look alike. */
const STOPWORDS = new Set(
  (
    "a an and are as at be been but by can could did do does for from had has have he her his how i if in into is it its " +
    "may me my no not of on or our she should so than that the their them then there these they this those to too up us " +
    "was we were what when where which while who will with would you your"
  ).split(" "),
);

const TOKEN = /[\p{L}][\p{L}\p{N}]*|\p{N}+/gu;

/** Lower-cased words minus stopwords, with a plural "s" dropped so "bookings" meets "booking". */
export function tokens(text: string): string[] {
  const out: string[] = [];
  for (const m of text.toLowerCase().matchAll(TOKEN)) {
    let w = m[0];
    if (STOPWORDS.has(w)) continue;
    if (w.length > 3 && w.endsWith("s") && !w.endsWith("ss")) w = w.slice(0, -1);
    out.push(w);
  }
  return out;
}

/** 32-bit FNV-1a over UTF-16 code units, with a seed so two independent hashes come from one function. */
function fnv1a(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

const BIGRAM_WEIGHT = 0.5;

export class HashEmbedder implements Embedder {
  readonly id: string;
  constructor(readonly dimensions = HASH_EMBEDDER_DIMENSIONS) {
    if (!Number.isInteger(dimensions) || dimensions < 8) throw new RangeError("the hash embedder needs at least 8 integer dimensions");
    this.id = `offline-hash-v1-${dimensions}`;
  }

  embedOne(text: string): Float32Array {
    const v = new Float32Array(this.dimensions);
    const add = (feature: string, weight: number) => {
      // A second, independent hash picks the sign, so collisions cancel out on average instead of piling up.
      const sign = fnv1a(feature, 0x9e3779b9) & 1 ? 1 : -1;
      const i = fnv1a(feature, 0) % this.dimensions;
      v[i] = v[i]! + sign * weight;
    };
    const ws = tokens(text);
    ws.forEach((w, i) => {
      add(w, 1);
      if (i > 0) add(`${ws[i - 1]!} ${w}`, BIGRAM_WEIGHT);
    });
    return l2normalize(v);
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    return texts.map((t) => this.embedOne(t));
  }
}
