import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { PutKeyRequest } from "@proximus/contracts";
import { apiKeys } from "../../gateway/src/db/schema";
import { open } from "@proximus/shared/secret-box";
import type { ProvidersConfig } from "./llm/registry";

/**
 * The project owner's stored provider keys as provider config. A key that no longer decrypts
 * (the encryption secret was rotated) is skipped, not fatal: the deployment's keys still apply.
 */
export async function userProvidersConfig(
  d1: D1Database | undefined,
  secret: string | undefined,
  userId: string,
): Promise<Partial<ProvidersConfig>> {
  if (!d1 || !secret) return {};
  const rows = await drizzle(d1).select().from(apiKeys).where(eq(apiKeys.userId, userId));
  const out: Partial<ProvidersConfig> = {};
  for (const row of rows) {
    let key: PutKeyRequest;
    try {
      key = PutKeyRequest.parse(JSON.parse(await open(secret, row, `${userId}:${row.provider}`)));
    } catch {
      console.warn("skipping a stored provider key that no longer decrypts", { provider: row.provider });
      continue;
    }
    switch (row.provider) {
      case "openai":
        Object.assign(out, { openaiApiKey: key.apiKey, ...(key.baseUrl ? { openaiBaseUrl: key.baseUrl } : {}) });
        break;
      case "anthropic":
        Object.assign(out, { anthropicApiKey: key.apiKey, ...(key.baseUrl ? { anthropicBaseUrl: key.baseUrl } : {}) });
        break;
      case "gemini":
        Object.assign(out, { geminiApiKey: key.apiKey, ...(key.baseUrl ? { geminiBaseUrl: key.baseUrl } : {}) });
        break;
      case "bedrock": {
        const [id, ...rest] = key.apiKey.split(":");
        Object.assign(out, { awsAccessKeyId: id, awsSecretAccessKey: rest.join(":"), awsRegion: key.region ?? "us-east-1" });
        break;
      }
    }
  }
  return out;
}
