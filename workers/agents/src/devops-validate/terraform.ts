import type { FileValidator } from "../tools/validate-client";

/** Said wherever main.tf is stored unchecked, so no one mistakes "not validated" for "valid". */
export const TERRAFORM_NOT_VALIDATED =
  "main.tf was NOT validated: Terraform's HCL is checked by HashiCorp's parser on sandbox-host, " +
  "and no sandbox host is configured (SANDBOX_URL, SANDBOX_SECRET)";

export type TerraformCheck = { validated: true; errors: string[]; validator: string } | { validated: false; reason: string };

/**
 * HCL cannot be parsed faithfully in a Worker (HashiCorp's parser is Go, built to WASM for Node), so
 * the sandbox host parses it. Without one the answer is "not validated", never "valid".
 */
export async function terraformErrors(validator: FileValidator | null | undefined, src: string, path = "main.tf"): Promise<TerraformCheck> {
  if (!validator) return { validated: false, reason: TERRAFORM_NOT_VALIDATED };
  const [file] = await validator.validate([{ path, content: src }]);
  if (!file) throw new Error("sandbox-host returned no result for main.tf");
  const errors = file.errors.map((e) => `${path}${e.line ? `:${e.line}${e.column ? `:${e.column}` : ""}` : ""}: ${e.message}`);
  return { validated: true, errors, validator: file.validator };
}
