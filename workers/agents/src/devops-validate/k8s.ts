import { parseAllDocuments } from "yaml";
import { apiServerRules } from "./k8s-rules";
import { schemaMessages } from "./k8s-messages";
import { apiVersionsOf, KNOWN_KINDS, schemaFor } from "./k8s-schemas";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Every YAML document against Kubernetes' own schema (kubernetes-models), then the API server's
 * extra rules. Messages name the document, kind/name and JSON path:
 * `document 1 deployment/web: spec.template.spec.containers[0].imagePullPolicy must be one of Always, IfNotPresent, Never`.
 */
export function validateK8sManifests(content: string): string[] {
  const errors: string[] = [];
  const podLabels: Record<string, string>[] = [];
  const services: { where: string; selector: Record<string, string> }[] = [];
  let objects = 0;
  parseAllDocuments(content, { prettyErrors: true }).forEach((d, idx) => {
    const where = `document ${idx + 1}`;
    if (d.errors.length) {
      errors.push(...d.errors.map((e) => `${where}: ${e.message.split("\n")[0]!.replace(/:$/, "")}`));
      return;
    }
    const doc: unknown = d.toJS();
    if (doc === null || doc === undefined) return;
    objects++;
    if (!isObj(doc)) return void errors.push(`${where}: must be a mapping with apiVersion, kind and metadata`);
    const { apiVersion, kind } = doc;
    if (typeof apiVersion !== "string" || !apiVersion) return void errors.push(`${where}: apiVersion is required`);
    if (typeof kind !== "string" || !kind) return void errors.push(`${where}: kind is required`);
    const metaName = isObj(doc.metadata) ? doc.metadata.name : undefined;
    const id = `${where} ${kind.toLowerCase()}/${typeof metaName === "string" ? metaName : "(no name)"}`;
    const validate = schemaFor(apiVersion, kind);
    if (!validate) {
      const served = apiVersionsOf(kind);
      errors.push(
        served.length
          ? `${id}: apiVersion must be ${served.join(" or ")} for ${kind}, not ${apiVersion}`
          : `${id}: no schema for ${apiVersion} ${kind} here (known kinds: ${KNOWN_KINDS.join(", ")})`,
      );
      return;
    }
    if (!validate(doc)) {
      errors.push(...schemaMessages(validate.errors ?? [], doc).map((m) => `${id}: ${m}`));
      return;
    }
    const rules = apiServerRules(doc);
    errors.push(...rules.errors.map((m) => `${id}: ${m}`));
    if (rules.podLabels) podLabels.push(rules.podLabels);
    if (rules.serviceSelector) services.push({ where: id, selector: rules.serviceSelector });
  });
  if (objects === 0) errors.push("k8s: no objects found");
  for (const s of services) {
    // A Service selecting no pod in the same bundle routes traffic nowhere.
    const hits = podLabels.some((l) => Object.entries(s.selector).every(([k, v]) => l[k] === v));
    if (!hits && podLabels.length) errors.push(`${s.where}: spec.selector matches no pod template labels in these manifests`);
  }
  return errors;
}
