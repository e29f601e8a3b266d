export { parseJsonc } from "./jsonc";
export { parseToml } from "./toml";
export { ConfigParseError } from "./parse-error";
export { validateWranglerConfig } from "./wrangler";
export { terraformErrors, TERRAFORM_NOT_VALIDATED, type TerraformCheck } from "./terraform";
export { validateK8sManifests } from "./k8s";
