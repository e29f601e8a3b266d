import { describe, expect, it } from "vitest";
import type { ProjectEvent } from "@proximus/contracts/events";
import { SeqGate } from "./seqGate";

const ev = (seq: number): ProjectEvent => ({ seq, ts: seq, type: "task.log", taskId: "t", data: { text: `line ${seq}` } });
const seqs = (es: ProjectEvent[]) => es.map((e) => e.seq);

describe("SeqGate", () => {
  it("delivers in order and drops duplicates and events at or below the resume point", () => {
    const gate = new SeqGate(2);
    expect(seqs(gate.acceptAll([ev(1), ev(2), ev(3), ev(3), ev(4)]))).toEqual([3, 4]);
    expect(gate.lastSeq).toBe(4);
    expect(seqs(gate.accept(ev(4)))).toEqual([]);
  });

  it("holds events after a hole until the hole is filled", () => {
    const gate = new SeqGate();
    expect(seqs(gate.acceptAll([ev(1), ev(3), ev(4)]))).toEqual([1]);
    expect(gate.hasGap).toBe(true);
    expect(seqs(gate.accept(ev(4)))).toEqual([]);
    expect(seqs(gate.accept(ev(2)))).toEqual([2, 3, 4]);
    expect(gate.hasGap).toBe(false);
    expect(gate.lastSeq).toBe(4);
  });
});
