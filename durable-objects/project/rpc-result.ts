import { z } from "zod";
import { AppError, zodDetails, type ErrorEnvelope } from "@proximus/contracts";

/**
 * The ProjectDO returns errors as values: an exception thrown across Workers RPC loses its type
 * and is logged by the runtime as uncaught. The gateway's projectStub() rebuilds the AppError.
 */
export type RpcResult<T> = { ok: true; value: T } | { ok: false; error: ErrorEnvelope["error"] };

export async function guard<T>(fn: () => Promise<T>): Promise<RpcResult<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    if (err instanceof AppError) return { ok: false, error: err.toEnvelope().error };
    if (err instanceof z.ZodError)
      return { ok: false, error: { code: "validation_failed", message: "invalid message", details: zodDetails(err) } };
    throw err;
  }
}
