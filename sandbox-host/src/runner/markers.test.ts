import { describe, expect, it } from "vitest";
import { MarkerScanner, exitCodeOf } from "./markers";

const NONCE = "0123456789abcdef0123456789abcdef";
const marker = (payload: string, nonce = NONCE) => `\0PXSB:${nonce}:${payload}\n`;

function scan(chunks: string[]) {
  const out: string[] = [];
  const seen: string[] = [];
  const s = new MarkerScanner(
    NONCE,
    (b) => out.push(b.toString("utf8")),
    (p) => seen.push(p),
  );
  for (const c of chunks) s.push(Buffer.from(c));
  return { s, text: () => out.join(""), seen, pieces: out };
}

describe("MarkerScanner", () => {
  it("passes output through and reports the marker's payload", () => {
    const r = scan([`hello\nworld\n${marker("exit 3")}`]);
    expect(r.text()).toBe("hello\nworld\n");
    expect(r.seen).toEqual(["exit 3"]);
    expect(r.s.done).toBe(true);
  });

  it("finds a marker split at every possible point without leaking any piece of it", () => {
    const whole = `abc${marker("end")}`;
    for (let i = 1; i < whole.length; i++) {
      for (let j = i; j < whole.length; j++) {
        const r = scan([whole.slice(0, i), whole.slice(i, j), whole.slice(j)]);
        expect(r.text(), `split at ${i},${j}`).toBe("abc");
        expect(r.seen).toEqual(["end"]);
      }
    }
  });

  it("treats a marker with another nonce (a job forging one) as ordinary output", () => {
    const forged = marker("exit 0", "f".repeat(32));
    const r = scan([`x${forged}`, "y", marker("exit 5")]);
    expect(r.text()).toBe(`x${forged}y`);
    expect(r.seen).toEqual(["exit 5"]);
  });

  it("releases held-back bytes that turn out not to be a marker", () => {
    const r = scan(["data\0PX", "Sfoo\0"]);
    expect(r.text()).toBe("data\0PXSfoo");
    r.s.flush();
    expect(r.text()).toBe("data\0PXSfoo\0");
    expect(r.seen).toEqual([]);
  });

  it("drops anything after the marker", () => {
    const r = scan([marker("end"), "late output"]);
    expect(r.text()).toBe("");
    r.s.flush();
    expect(r.text()).toBe("");
  });
});

describe("exitCodeOf", () => {
  it("maps exit and signal statuses like a shell, and refuses anything else", () => {
    expect(exitCodeOf("exit 0")).toBe(0);
    expect(exitCodeOf("exit 127")).toBe(127);
    expect(exitCodeOf("signal 9")).toBe(137);
    expect(exitCodeOf("exit x")).toBeNull();
    expect(exitCodeOf("exit 1; rm")).toBeNull();
  });
});
