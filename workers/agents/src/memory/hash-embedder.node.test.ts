import { describe, expect, it } from "vitest";
import { HashEmbedder, tokens } from "./hash-embedder";
import { cosine } from "./vector";

const e = new HashEmbedder();
const one = (t: string) => e.embedOne(t);
const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe("HashEmbedder (offline, no AI)", () => {
  it("is deterministic across instances and calls", async () => {
    const text = "Dog groomers book appointments through a calendar";
    const a = one(text);
    const [b] = await new HashEmbedder().embed([text]);
    expect(Array.from(a)).toEqual(Array.from(b!));
    expect(a).toHaveLength(256);
    expect(e.id).toBe("offline-hash-v1-256");
  });

  it("L2-normalises non-empty texts and gives the empty text a zero vector", () => {
    expect(norm(one("stack: Cloudflare Workers, D1, React"))).toBeCloseTo(1, 5);
    expect(norm(one("the and of"))).toBe(0);
    expect(cosine(one(""), one("anything"))).toBe(0);
  });

  it("ranks texts sharing vocabulary above unrelated ones", () => {
    const query = one("database schema for bookings and customers");
    const related = one("The CTO chose D1 as the database; the schema has tables for customers and bookings.");
    const unrelated = one("Marketing plan: social media posts every Tuesday with cute puppy photos.");
    const sRelated = cosine(query, related);
    const sUnrelated = cosine(query, unrelated);
    expect(sRelated).toBeGreaterThan(0.3);
    expect(sRelated).toBeGreaterThan(sUnrelated + 0.2);
  });

  it("counts word order through bigrams", () => {
    const q = one("react frontend");
    expect(cosine(q, one("react frontend with vite"))).toBeGreaterThan(cosine(q, one("frontend vite with react")));
  });

  it("tokenises case-, punctuation- and plural-insensitively, dropping stopwords", () => {
    expect(tokens("The Bookings, of DOG-groomers!")).toEqual(["booking", "dog", "groomer"]);
    expect(tokens("class glass")).toEqual(["class", "glass"]);
  });
});
