import type { ValidateRequest, ValidateResult } from "@proximus/contracts/validate";
import { validateTerraformFile } from "./hcl";

/** The checks of one validate request; no sandbox is needed: parsers never execute the files. */
export async function validateFiles(request: ValidateRequest): Promise<ValidateResult> {
  const files = [];
  // One after another: the HCL parser is a single WASM instance, and files are small.
  for (const f of request.files) files.push(await validateTerraformFile(f.path, f.content));
  return { files };
}
