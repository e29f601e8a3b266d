import { AppError, ErrorEnvelope } from "@proximus/contracts/errors";
import { signRequest } from "@proximus/contracts/sandbox";
import { VALIDATE_PATH, ValidateResult, type FileValidation, type ValidateFile } from "@proximus/contracts/validate";

/** Checks config files with parsers that only run in Node (HashiCorp HCL); sandbox-host implements it. */
export interface FileValidator {
  validate(files: ValidateFile[]): Promise<FileValidation[]>;
}

export type ValidateClientConfig = {
  /** Base URL of sandbox-host (the same one QA runs tests on). */
  url: string;
  secret: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
};

/** Signs `POST /v1/validate` with the sandbox secret and validates the answer. */
export class ValidateClient implements FileValidator {
  private readonly fetchFn: typeof fetch;

  constructor(private readonly config: ValidateClientConfig) {
    this.fetchFn = config.fetch ?? ((input, init) => fetch(input, init));
  }

  async validate(files: ValidateFile[]): Promise<FileValidation[]> {
    const body = JSON.stringify({ files });
    const headers = await signRequest(this.config.secret, "POST", VALIDATE_PATH, body);
    const res = await this.fetchFn(new URL(VALIDATE_PATH, this.config.url).toString(), {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body,
      signal: AbortSignal.timeout(this.config.timeoutMs ?? 30_000),
    });
    if (res.ok) {
      const parsed = ValidateResult.safeParse(await res.json());
      if (!parsed.success) throw new AppError("upstream_failed", "sandbox-host answered /v1/validate with an unexpected body");
      return parsed.data.files;
    }
    const envelope = ErrorEnvelope.safeParse(await res.json().catch(() => null));
    if (envelope.success) {
      throw new AppError(envelope.data.error.code, `sandbox-host: ${envelope.data.error.message}`, envelope.data.error.details);
    }
    throw new AppError("upstream_failed", `sandbox-host answered HTTP ${res.status}`);
  }
}

/** null when the Worker has no sandbox configured; the DevOps role then says HCL was not validated. */
export function fileValidatorFromEnv(env: { SANDBOX_URL?: string; SANDBOX_SECRET?: string }): FileValidator | null {
  if (!env.SANDBOX_URL || !env.SANDBOX_SECRET) return null;
  return new ValidateClient({ url: env.SANDBOX_URL, secret: env.SANDBOX_SECRET });
}
