import { parseAllDocuments } from "yaml";

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

type Obj = Record<string, unknown>;
function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
function isPort(v: unknown): boolean {
  return Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535;
}
function stringMap(v: unknown): Record<string, string> | null {
  if (!isObj(v)) return null;
  return Object.values(v).every((x) => typeof x === "string") ? (v as Record<string, string>) : null;
}

function checkDeployment(doc: Obj, where: string, errors: string[]): Record<string, string> | null {
  if (doc.apiVersion !== "apps/v1") errors.push(`${where}: Deployment apiVersion must be apps/v1`);
  const spec = doc.spec;
  if (!isObj(spec)) {
    errors.push(`${where}: spec is required`);
    return null;
  }
  if (spec.replicas !== undefined && !(Number.isInteger(spec.replicas) && (spec.replicas as number) >= 0)) errors.push(`${where}: spec.replicas must be a non-negative integer`);
  const match = isObj(spec.selector) ? stringMap(spec.selector.matchLabels) : null;
  if (!match || Object.keys(match).length === 0) errors.push(`${where}: spec.selector.matchLabels is required`);
  const template = isObj(spec.template) ? spec.template : null;
  const labels = template && isObj(template.metadata) ? stringMap(template.metadata.labels) : null;
  if (!labels) errors.push(`${where}: spec.template.metadata.labels is required`);
  if (match && labels) {
    for (const [k, v] of Object.entries(match)) if (labels[k] !== v) errors.push(`${where}: selector ${k}=${v} does not match the pod template labels`);
  }
  const podSpec = template && isObj(template.spec) ? template.spec : null;
  const containers = podSpec?.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    errors.push(`${where}: spec.template.spec.containers must be a non-empty list`);
  } else {
    containers.forEach((c: unknown, i) => {
      const cw = `${where}: containers[${i}]`;
      if (!isObj(c)) return errors.push(`${cw} must be a mapping`);
      if (typeof c.name !== "string" || !DNS_LABEL.test(c.name)) errors.push(`${cw}.name must be a DNS label`);
      if (typeof c.image !== "string" || c.image.length === 0) errors.push(`${cw}.image is required`);
      if (c.ports !== undefined) {
        if (!Array.isArray(c.ports)) errors.push(`${cw}.ports must be a list`);
        else c.ports.forEach((p: unknown, j) => isObj(p) && isPort(p.containerPort) ? undefined : errors.push(`${cw}.ports[${j}].containerPort must be 1-65535`));
      }
      return undefined;
    });
  }
  return labels;
}

function checkService(doc: Obj, where: string, errors: string[]): Record<string, string> | null {
  if (doc.apiVersion !== "v1") errors.push(`${where}: Service apiVersion must be v1`);
  const spec = doc.spec;
  if (!isObj(spec)) {
    errors.push(`${where}: spec is required`);
    return null;
  }
  if (!Array.isArray(spec.ports) || spec.ports.length === 0) errors.push(`${where}: spec.ports must be a non-empty list`);
  else
    spec.ports.forEach((p: unknown, i) => {
      if (!isObj(p) || !isPort(p.port)) errors.push(`${where}: spec.ports[${i}].port must be 1-65535`);
      else if (p.targetPort !== undefined && !isPort(p.targetPort) && typeof p.targetPort !== "string") errors.push(`${where}: spec.ports[${i}].targetPort must be a port or a port name`);
    });
  const selector = stringMap(spec.selector);
  if (!selector || Object.keys(selector).length === 0) errors.push(`${where}: spec.selector is required`);
  return selector;
}

/** Parses every YAML document with the `yaml` package and checks the fields the API server would reject. */
export function validateK8sManifests(content: string): string[] {
  const errors: string[] = [];
  const docs = parseAllDocuments(content, { prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [docs];
  const podLabels: Record<string, string>[] = [];
  const services: { where: string; selector: Record<string, string> }[] = [];
  let objects = 0;
  list.forEach((d, idx) => {
    const where = `k8s document ${idx + 1}`;
    if (d.errors.length) {
      errors.push(...d.errors.map((e) => `${where}: ${e.message}`));
      return;
    }
    const doc: unknown = d.toJS();
    if (doc === null || doc === undefined) return;
    objects++;
    if (!isObj(doc)) return errors.push(`${where}: must be a mapping`);
    if (typeof doc.apiVersion !== "string" || !doc.apiVersion) errors.push(`${where}: apiVersion is required`);
    if (typeof doc.kind !== "string" || !doc.kind) errors.push(`${where}: kind is required`);
    const name = isObj(doc.metadata) ? doc.metadata.name : undefined;
    if (typeof name !== "string" || name.length > 253 || !DNS_SUBDOMAIN.test(name)) errors.push(`${where}: metadata.name must be a DNS subdomain name`);
    const w = `${where} (${String(doc.kind)} ${String(name)})`;
    if (doc.kind === "Deployment") {
      const labels = checkDeployment(doc, w, errors);
      if (labels) podLabels.push(labels);
    } else if (doc.kind === "Service") {
      const selector = checkService(doc, w, errors);
      if (selector) services.push({ where: w, selector });
    }
    return undefined;
  });
  if (objects === 0) errors.push("k8s: no objects found");
  for (const s of services) {
    // A Service selecting no pod in the same bundle routes traffic nowhere.
    const hits = podLabels.some((l) => Object.entries(s.selector).every(([k, v]) => l[k] === v));
    if (!hits && podLabels.length) errors.push(`${s.where}: selector matches no Deployment pod labels`);
  }
  return errors;
}
