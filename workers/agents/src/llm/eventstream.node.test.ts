import { crc32 as zlibCrc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { EventStreamError, crc32, decodeEventStream, decodeMessage } from "./eventstream";
import { encodeMessage } from "./testing/eventstream-encoder.node";

function streamOf(buf: Buffer, chunk: number): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(ctrl) {
      if (i >= buf.length) return ctrl.close();
      ctrl.enqueue(new Uint8Array(buf.subarray(i, i + chunk)));
      i += chunk;
    },
  });
}

async function collect(s: ReadableStream<Uint8Array>) {
  const out = [];
  for await (const m of decodeEventStream(s)) out.push(m);
  return out;
}

describe("AWS event-stream decoder", () => {
  it("computes the same CRC-32 as zlib", () => {
    for (const s of ["", "a", "123456789", "x".repeat(1000)]) expect(crc32(Buffer.from(s))).toBe(zlibCrc32(Buffer.from(s)));
    expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926);
  });

  it("decodes every header type it meets and the payload", () => {
    const msg = encodeMessage(
      [
        { name: ":event-type", type: "string", value: "chunk" },
        { name: "flag", type: "bool", value: true },
        { name: "off", type: "bool", value: false },
        { name: "n", type: "int32", value: -7 },
        { name: "raw", type: "bytes", value: Buffer.from([1, 2, 3]) },
      ],
      "payload ✓",
    );
    const m = decodeMessage(new Uint8Array(msg));
    expect(m.headers).toEqual({ ":event-type": "chunk", flag: true, off: false, n: -7, raw: new Uint8Array([1, 2, 3]) });
    expect(new TextDecoder().decode(m.payload)).toBe("payload ✓");
  });

  it("reassembles messages across any chunking, byte by byte included", async () => {
    const all = Buffer.concat([1, 2, 3].map((i) => encodeMessage([{ name: "i", type: "int32", value: i }], `m${i}`)));
    for (const chunk of [1, 5, 64, all.length]) {
      const msgs = await collect(streamOf(all, chunk));
      expect(msgs.map((m) => m.headers.i)).toEqual([1, 2, 3]);
    }
  });

  it("rejects a bad prelude CRC, a bad message CRC and a truncated stream", async () => {
    const good = encodeMessage([{ name: "a", type: "string", value: "b" }], "{}");
    const badPrelude = Buffer.from(good);
    badPrelude[9] = (badPrelude[9] ?? 0) ^ 1;
    expect(() => decodeMessage(new Uint8Array(badPrelude))).toThrow(/prelude checksum/);
    const badBody = Buffer.from(good);
    badBody[good.length - 5] = (badBody[good.length - 5] ?? 0) ^ 1;
    expect(() => decodeMessage(new Uint8Array(badBody))).toThrow(/message checksum/);
    await expect(collect(streamOf(good.subarray(0, good.length - 3), 4))).rejects.toBeInstanceOf(EventStreamError);
  });
});
