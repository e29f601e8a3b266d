/**
 * Rules the API server enforces in Go code, beyond what the OpenAPI schema says: names, required
 * images, non-empty lists, port ranges, selectors that select something. Run only on a document
 * that already passed its schema, so every field has the right type here.
 */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const isPort = (v: unknown) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535;

/** Where the pod template sits in each workload kind. */
const POD_SPEC_PATH: Record<string, string[]> = {
  Deployment: ["spec", "template", "spec"],
  StatefulSet: ["spec", "template", "spec"],
  DaemonSet: ["spec", "template", "spec"],
  Job: ["spec", "template", "spec"],
  CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
  Pod: ["spec"],
};
const WITH_SELECTOR = new Set(["Deployment", "StatefulSet", "DaemonSet"]);

function podSpecErrors(podSpec: Obj, at: string): string[] {
  const errors: string[] = [];
  const containers = list(podSpec.containers);
  if (containers.length === 0) errors.push(`${at}.containers must be a non-empty list`);
  containers.forEach((raw, i) => {
    const c = obj(raw);
    const cw = `${at}.containers[${i}]`;
    if (typeof c.name !== "string" || !DNS_LABEL.test(c.name)) {
      errors.push(`${cw}.name must be a DNS label (lowercase letters, digits, '-')`);
    }
    if (typeof c.image !== "string" || c.image.trim() === "") errors.push(`${cw}.image is required`);
    list(c.ports).forEach((p, j) => {
      if (!isPort(obj(p).containerPort)) errors.push(`${cw}.ports[${j}].containerPort must be 1-65535`);
    });
  });
  return errors;
}

export type RuleResult = { errors: string[]; podLabels?: Record<string, string>; serviceSelector?: Record<string, string> };

export function apiServerRules(doc: Obj): RuleResult {
  const errors: string[] = [];
  const name = obj(doc.metadata).name;
  if (typeof name !== "string" || name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    errors.push("metadata.name must be a DNS subdomain name (lowercase letters, digits, '-', '.')");
  }
  const kind = String(doc.kind);
  const result: RuleResult = { errors };
  const path = POD_SPEC_PATH[kind];
  if (path) {
    let node: unknown = doc;
    for (const k of path) node = obj(node)[k];
    errors.push(...podSpecErrors(obj(node), path.join(".")));
    const template = path.length > 1 ? obj(obj(obj(doc.spec)[path[1]!]).metadata) : obj(doc.metadata);
    const labels = obj(template.labels) as Record<string, string>;
    if (kind !== "CronJob" && kind !== "Job") result.podLabels = labels;
    if (WITH_SELECTOR.has(kind)) {
      const match = obj(obj(obj(doc.spec).selector).matchLabels) as Record<string, string>;
      if (Object.keys(match).length === 0) errors.push("spec.selector.matchLabels is required");
      for (const [k, v] of Object.entries(match)) {
        if (labels[k] !== v) errors.push(`spec.selector.matchLabels ${k}=${v} does not match the pod template labels`);
      }
    }
  }
  if (kind === "Service") {
    const spec = obj(doc.spec);
    const ports = list(spec.ports);
    if (spec.type !== "ExternalName" && ports.length === 0) errors.push("spec.ports must be a non-empty list");
    ports.forEach((p, i) => {
      if (!isPort(obj(p).port)) errors.push(`spec.ports[${i}].port must be 1-65535`);
    });
    const selector = obj(spec.selector) as Record<string, string>;
    if (Object.keys(selector).length) result.serviceSelector = selector;
  }
  return result;
}
