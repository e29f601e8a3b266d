import { crc32 } from "node:zlib";

/**
 * Test-side encoder of the AWS event-stream framing, written independently of the decoder under
 * test: checksums come from zlib's CRC-32, not from eventstream.ts.
 */
export type TestHeader =
  | { name: string; type: "string"; value: string }
  | { name: string; type: "bool"; value: boolean }
  | { name: string; type: "int32"; value: number }
  | { name: string; type: "bytes"; value: Buffer };

function encodeHeaders(headers: TestHeader[]): Buffer {
  const parts: Buffer[] = [];
  for (const h of headers) {
    const name = Buffer.from(h.name, "utf8");
    parts.push(Buffer.from([name.length]), name);
    if (h.type === "bool") parts.push(Buffer.from([h.value ? 0 : 1]));
    else if (h.type === "int32") {
      const b = Buffer.alloc(5);
      b.writeUInt8(4, 0);
      b.writeInt32BE(h.value, 1);
      parts.push(b);
    } else {
      const v = h.type === "string" ? Buffer.from(h.value, "utf8") : h.value;
      const b = Buffer.alloc(3);
      b.writeUInt8(h.type === "string" ? 7 : 6, 0);
      b.writeUInt16BE(v.length, 1);
      parts.push(b, v);
    }
  }
  return Buffer.concat(parts);
}

export function encodeMessage(headers: TestHeader[], payload: Buffer | string): Buffer {
  const h = encodeHeaders(headers);
  const p = typeof payload === "string" ? Buffer.from(payload, "utf8") : payload;
  const total = 12 + h.length + p.length + 4;
  const prelude = Buffer.alloc(8);
  prelude.writeUInt32BE(total, 0);
  prelude.writeUInt32BE(h.length, 4);
  const preludeCrc = Buffer.alloc(4);
  preludeCrc.writeUInt32BE(crc32(prelude), 0);
  const body = Buffer.concat([prelude, preludeCrc, h, p]);
  const msgCrc = Buffer.alloc(4);
  msgCrc.writeUInt32BE(crc32(body), 0);
  return Buffer.concat([body, msgCrc]);
}

/** A Bedrock converse-stream event frame. */
export function bedrockEvent(eventType: string, payload: Record<string, unknown>): Buffer {
  return encodeMessage(
    [
      { name: ":event-type", type: "string", value: eventType },
      { name: ":content-type", type: "string", value: "application/json" },
      { name: ":message-type", type: "string", value: "event" },
    ],
    // Bedrock pads payloads with a "p" field to hide lengths; clients must ignore it.
    JSON.stringify({ ...payload, p: "abcdefghij" }),
  );
}

export function bedrockException(exceptionType: string, message: string): Buffer {
  return encodeMessage(
    [
      { name: ":exception-type", type: "string", value: exceptionType },
      { name: ":content-type", type: "string", value: "application/json" },
      { name: ":message-type", type: "string", value: "exception" },
    ],
    JSON.stringify({ message }),
  );
}
