import type { Context } from "hono";
import type { z } from "zod";
import type { BrokerDO } from "./broker-do";
import type { BrokerEnv } from "./env";
import { BrokerError, type BrokerResult } from "./errors";

export type AppEnv = { Bindings: BrokerEnv };
export type AppContext = Context<AppEnv>;

export function broker(env: BrokerEnv): DurableObjectStub<BrokerDO> {
  return env.BROKER.getByName("broker");
}

/** Parses a JSON body with zod; an empty body parses as `undefined` (REST Proxy allows that for commit). */
export async function body<T extends z.ZodType>(c: AppContext, schema: T): Promise<z.infer<T>> {
  const text = await c.req.text();
  let raw: unknown;
  try {
    raw = text.trim() === "" ? undefined : JSON.parse(text);
  } catch {
    throw new BrokerError(400, 40001, "Request body is not valid JSON.");
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ");
    throw new BrokerError(422, 42201, `Invalid request: ${msg}`);
  }
  return parsed.data;
}

/** Unwraps a DO result or throws it as a BrokerError for the dialect's error handler. */
export function unwrap<T>(result: BrokerResult<T>): T {
  if (result.ok) return result.value;
  throw new BrokerError(result.status, result.errorCode, result.message);
}

export function intParam(raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new BrokerError(422, 42201, `Invalid integer parameter ${raw}.`);
  return Math.min(n, max);
}
