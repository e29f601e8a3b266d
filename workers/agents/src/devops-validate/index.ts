export { parseJsonc } from "./jsonc";
export { parseToml, TomlError } from "./toml";
export { parseHcl, tokenize, HclError } from "./hcl";
export { validateWranglerConfig } from "./wrangler";
export { validateTerraform } from "./terraform";
export { validateK8sManifests } from "./k8s";
