/**
 * Decoder for the AWS event-stream binary framing (`application/vnd.amazon.eventstream`) used by
 * Bedrock's converse-stream. Each message: 4-byte total length, 4-byte headers length, CRC32 of
 * those 8 bytes, headers, payload, CRC32 of everything before it. All integers big-endian.
 */

export type HeaderValue = boolean | number | bigint | string | Uint8Array;

export interface EventStreamMessage {
  headers: Record<string, HeaderValue>;
  payload: Uint8Array;
}

export class EventStreamError extends Error {
  override readonly name = "EventStreamError";
}

const PRELUDE = 12;
const MIN_MESSAGE = PRELUDE + 4;
/** Far above anything Bedrock sends; a corrupted length must not make us buffer forever. */
const MAX_MESSAGE = 16 * 1024 * 1024;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, the zlib one), as the framing specifies. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = (CRC_TABLE[(c ^ (bytes[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

function parseHeaders(buf: Uint8Array, start: number, end: number): Record<string, HeaderValue> {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Record<string, HeaderValue> = {};
  let p = start;
  const need = (n: number): void => {
    if (p + n > end) throw new EventStreamError("header runs past the headers section");
  };
  while (p < end) {
    need(1);
    const nameLen = view.getUint8(p);
    p += 1;
    need(nameLen + 1);
    const name = utf8.decode(buf.subarray(p, p + nameLen));
    p += nameLen;
    const type = view.getUint8(p);
    p += 1;
    let value: HeaderValue;
    switch (type) {
      case 0:
        value = true;
        break;
      case 1:
        value = false;
        break;
      case 2:
        need(1);
        value = view.getInt8(p);
        p += 1;
        break;
      case 3:
        need(2);
        value = view.getInt16(p);
        p += 2;
        break;
      case 4:
        need(4);
        value = view.getInt32(p);
        p += 4;
        break;
      case 5:
      case 8:
        need(8);
        value = view.getBigInt64(p);
        p += 8;
        break;
      case 6:
      case 7: {
        need(2);
        const len = view.getUint16(p);
        p += 2;
        need(len);
        const bytes = buf.slice(p, p + len);
        value = type === 7 ? utf8.decode(bytes) : bytes;
        p += len;
        break;
      }
      case 9:
        need(16);
        value = buf.slice(p, p + 16);
        p += 16;
        break;
      default:
        throw new EventStreamError(`unknown header value type ${type}`);
    }
    out[name] = value;
  }
  return out;
}

/** Decodes one complete message, verifying both checksums. */
export function decodeMessage(buf: Uint8Array): EventStreamMessage {
  if (buf.length < MIN_MESSAGE) throw new EventStreamError("message shorter than its prelude");
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const total = view.getUint32(0);
  const headersLen = view.getUint32(4);
  if (total !== buf.length) throw new EventStreamError("length prefix does not match the message");
  if (crc32(buf, 0, 8) !== view.getUint32(8)) throw new EventStreamError("prelude checksum mismatch");
  if (crc32(buf, 0, total - 4) !== view.getUint32(total - 4)) throw new EventStreamError("message checksum mismatch");
  if (PRELUDE + headersLen > total - 4) throw new EventStreamError("headers run past the message");
  const headers = parseHeaders(buf, PRELUDE, PRELUDE + headersLen);
  return { headers, payload: buf.slice(PRELUDE + headersLen, total - 4) };
}

/** Splits a byte stream into messages, however the transport chunked it. */
export async function* decodeEventStream(body: ReadableStream<Uint8Array>): AsyncGenerator<EventStreamMessage> {
  const reader = body.getReader();
  let buf = new Uint8Array(0);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (value && value.length) {
        const next = new Uint8Array(buf.length + value.length);
        next.set(buf);
        next.set(value, buf.length);
        buf = next;
      }
      for (;;) {
        if (buf.length < 4) break;
        const total = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint32(0);
        if (total < MIN_MESSAGE || total > MAX_MESSAGE) throw new EventStreamError(`implausible message length ${total}`);
        if (buf.length < total) break;
        yield decodeMessage(buf.subarray(0, total));
        buf = buf.slice(total);
      }
      if (done) {
        if (buf.length) throw new EventStreamError("stream ended inside a message");
        return;
      }
    }
  } finally {
    // Also reached when the consumer stops early: free the connection instead of leaving it open.
    await reader.cancel().catch(() => undefined);
  }
}
