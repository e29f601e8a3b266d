import type { IncomingMessage, ServerResponse } from "node:http";
import { AppError, zodDetails } from "../../../contracts/errors";
import { NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER } from "../../../contracts/sandbox";
import { VALIDATE_LIMITS, VALIDATE_PATH, ValidateRequest } from "../../../contracts/validate";
import { validateFiles } from "../validate/hcl-files";
import type { RequestAuth } from "./auth";

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new AppError("payload_too_large", `request body exceeds ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** `POST /v1/validate`: signed like `/v1/runs`; answers 200 with per-file results, invalid files included. */
export async function handleValidate(req: IncomingMessage, res: ServerResponse, auth: RequestAuth): Promise<void> {
  if (req.method !== "POST") throw new AppError("bad_request", `use POST ${VALIDATE_PATH}`);
  const body = await readBody(req, VALIDATE_LIMITS.maxBodyBytes);
  const header = (n: string) => {
    const v = req.headers[n];
    return Array.isArray(v) ? v[0] : v;
  };
  const signed = { timestamp: header(TIMESTAMP_HEADER), nonce: header(NONCE_HEADER), signature: header(SIGNATURE_HEADER) };
  await auth.verify("POST", VALIDATE_PATH, body, signed);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new AppError("bad_request", "body is not valid JSON");
  }
  const parsed = ValidateRequest.safeParse(json);
  if (!parsed.success) throw new AppError("validation_failed", "invalid validate request", zodDetails(parsed.error));
  const text = JSON.stringify(await validateFiles(parsed.data));
  res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
