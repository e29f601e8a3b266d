import type { IncomingMessage, ServerResponse } from "node:http";
import { AppError, zodDetails } from "@proximus/contracts/errors";
import { VALIDATE_LIMITS, VALIDATE_PATH, ValidateRequest } from "@proximus/contracts/validate";
import { validateFiles } from "../validate/hcl-files";
import type { RequestAuth } from "./auth";
import { readVerifiedBody } from "./body";

/** `POST /v1/validate`: signed like `/v1/runs`; answers 200 with per-file results, invalid files included. */
export async function handleValidate(req: IncomingMessage, res: ServerResponse, auth: RequestAuth): Promise<void> {
  if (req.method !== "POST") throw new AppError("bad_request", `use POST ${VALIDATE_PATH}`);
  const parsed = ValidateRequest.safeParse(await readVerifiedBody(req, auth, VALIDATE_PATH, VALIDATE_LIMITS.maxBodyBytes));
  if (!parsed.success) throw new AppError("validation_failed", "invalid validate request", zodDetails(parsed.error));
  const text = JSON.stringify(await validateFiles(parsed.data));
  res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
