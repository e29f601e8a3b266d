import { z } from "zod";
import { pathProblem } from "./sandbox";

/**
 * Wire contract of sandbox-host's `POST /v1/validate`: config files checked by the vendors' own
 * parsers (HashiCorp HCL for `*.tf`), which run in Node only. Signed like `/v1/runs`
 * (`signRequest`/`verifyRequest` in contracts/sandbox.ts).
 */
export const VALIDATE_PATH = "/v1/validate";

export const VALIDATE_LIMITS = {
  maxFiles: 50,
  maxFileChars: 200_000,
  maxBodyBytes: 4 * 1024 * 1024,
} as const;

/** File kinds the endpoint understands, chosen by file name. */
export const VALIDATED_EXTENSIONS = [".tf"] as const;

export const ValidateFile = z
  .object({
    path: z.string().superRefine((p, ctx) => {
      const problem = pathProblem(p);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
      else if (!VALIDATED_EXTENSIONS.some((ext) => p.endsWith(ext))) {
        ctx.addIssue({ code: "custom", message: `only ${VALIDATED_EXTENSIONS.join(", ")} files are validated` });
      }
    }),
    content: z.string().max(VALIDATE_LIMITS.maxFileChars),
  })
  .strict();
export type ValidateFile = z.infer<typeof ValidateFile>;

export const ValidateRequest = z.object({ files: z.array(ValidateFile).min(1).max(VALIDATE_LIMITS.maxFiles) }).strict();
export type ValidateRequest = z.infer<typeof ValidateRequest>;

export const ValidationError = z.object({
  /** 1-based, in the submitted text; absent when the problem has no single place (e.g. "declares no resources"). */
  line: z.number().int().positive().optional(),
  column: z.number().int().positive().optional(),
  message: z.string(),
});
export type ValidationError = z.infer<typeof ValidationError>;

export const FileValidation = z.object({
  path: z.string(),
  ok: z.boolean(),
  errors: z.array(ValidationError),
  /** Which parser judged the file, e.g. "@cdktn/hcl2json 0.24.0 (hashicorp/hcl)". */
  validator: z.string(),
});
export type FileValidation = z.infer<typeof FileValidation>;

export const ValidateResult = z.object({ files: z.array(FileValidation) });
export type ValidateResult = z.infer<typeof ValidateResult>;
