import { describe, expect, it } from "vitest";
import { validateK8sManifests } from "./k8s";
import { jsonPath } from "./k8s-messages";

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web, tier: front }
    spec:
      containers:
        - name: web
          image: nginx:1.27
          imagePullPolicy: IfNotPresent
          ports: [{ containerPort: 80, protocol: TCP }]
          env:
            - name: MODE
              value: "prod"
          readinessProbe:
            httpGet: { path: /health, port: 80 }
          resources:
            limits: { cpu: 500m, memory: 128Mi }
`;
const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: { app: web }
  ports:
    - port: 80
      targetPort: http
`;
const INGRESS = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  rules:
    - http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service: { name: web, port: { number: 80 } }
`;

const swap = (from: string, to: string, src = DEPLOYMENT) => {
  if (!src.includes(from)) throw new Error(`fixture has no ${from}`);
  return src.replace(from, to);
};

describe("validateK8sManifests (kubernetes-models schemas)", () => {
  it("accepts a Deployment, a matching Service, an Ingress and a ConfigMap", () => {
    const configMap = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: b\n";
    expect(validateK8sManifests(`${DEPLOYMENT}---\n${SERVICE}---\n${INGRESS}---\n${configMap}`)).toEqual([]);
  });

  // The eight schema errors the home-made check let through, each with a message naming document, object and path.
  it.each([
    [
      "bad imagePullPolicy",
      swap("imagePullPolicy: IfNotPresent", "imagePullPolicy: Sometimes"),
      "document 1 deployment/web: spec.template.spec.containers[0].imagePullPolicy must be one of Always, IfNotPresent, Never",
    ],
    [
      "bad protocol",
      swap("protocol: TCP", "protocol: HTTP"),
      "document 1 deployment/web: spec.template.spec.containers[0].ports[0].protocol must be one of SCTP, TCP, UDP",
    ],
    [
      "env as a map",
      swap('env:\n            - name: MODE\n              value: "prod"', "env:\n            MODE: prod"),
      "document 1 deployment/web: spec.template.spec.containers[0].env must be a list (got a mapping)",
    ],
    [
      "numeric env value",
      swap('value: "prod"', "value: 3"),
      "document 1 deployment/web: spec.template.spec.containers[0].env[0].value must be a string (got 3)",
    ],
    [
      "httpGet probe without a port",
      swap("httpGet: { path: /health, port: 80 }", "httpGet: { path: /health }"),
      "document 1 deployment/web: spec.template.spec.containers[0].readinessProbe.httpGet.port is required",
    ],
    [
      "tcpSocket probe without a port",
      swap("httpGet: { path: /health, port: 80 }", "tcpSocket: {}").replace("readinessProbe", "livenessProbe"),
      "document 1 deployment/web: spec.template.spec.containers[0].livenessProbe.tcpSocket.port is required",
    ],
    [
      "Ingress without pathType",
      `${DEPLOYMENT}---\n${swap("            pathType: Prefix\n", "", INGRESS)}`,
      "document 2 ingress/web: spec.rules[0].http.paths[0].pathType is required",
    ],
    [
      "a CPU limit that is not a quantity",
      swap("cpu: 500m", "cpu: lots"),
      "document 1 deployment/web: spec.template.spec.containers[0].resources.limits.cpu " +
        'must be a number or a quantity such as 500m or 128Mi (got "lots")',
    ],
  ])("rejects %s", (_name, src, message) => {
    expect(validateK8sManifests(src)).toEqual([message]);
  });

  it("reports YAML syntax errors per document", () => {
    expect(validateK8sManifests("apiVersion: v1\nkind: [Service\n")[0]).toMatch(/^document 1: /);
    // Lines count from the top of the file, not of the document.
    const line = DEPLOYMENT.split("\n").length + 1;
    expect(validateK8sManifests(`${DEPLOYMENT}---\na: b\n  c: d\n`)[0]).toBe(
      `document 2: Nested mappings are not allowed in compact mappings at line ${line}, column 4`,
    );
  });

  // What the home-made check already caught still fails.
  it.each([
    ["missing apiVersion", DEPLOYMENT.replace("apiVersion: apps/v1\n", ""), /^document 1: apiVersion is required$/],
    [
      "wrong Deployment apiVersion",
      DEPLOYMENT.replace("apps/v1", "v1"),
      /deployment\/web: apiVersion must be apps\/v1 for Deployment, not v1/,
    ],
    ["unknown kind", "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n", /no schema for example.com\/v1 Widget/],
    [
      "invalid name",
      DEPLOYMENT.replace("name: web\nspec", "name: Web_App\nspec"),
      /deployment\/Web_App: metadata.name must be a DNS subdomain/,
    ],
    [
      "selector not matching labels",
      DEPLOYMENT.replace("matchLabels: { app: web }", "matchLabels: { app: api }"),
      /does not match the pod template labels/,
    ],
    [
      "no containers",
      DEPLOYMENT.replace(/containers:[\s\S]*$/, "containers: []\n"),
      /spec.template.spec.containers must be a non-empty list/,
    ],
    ["container without image", DEPLOYMENT.replace("          image: nginx:1.27\n", ""), /containers\[0\].image is required/],
    ["bad containerPort", DEPLOYMENT.replace("containerPort: 80", "containerPort: 70000"), /containerPort must be 1-65535/],
    ["Service without ports", SERVICE.replace(/  ports:[\s\S]*$/, ""), /spec.ports must be a non-empty list/],
    [
      "Service selecting nothing",
      `${DEPLOYMENT}---\n${SERVICE.replace("selector: { app: web }", "selector: { app: other }")}`,
      /document 2 service\/web: spec.selector matches no pod/,
    ],
    ["empty file", "---\n", /no objects/],
  ])("rejects %s", (_n, src, err) => {
    expect(validateK8sManifests(src).join("\n")).toMatch(err);
  });
});

describe("jsonPath", () => {
  it("turns JSON pointers into dotted paths with indexes and bracketed odd keys", () => {
    expect(jsonPath("/spec/template/spec/containers/0/env")).toBe("spec.template.spec.containers[0].env");
    expect(jsonPath("/metadata/labels/app.kubernetes.io~1name")).toBe('metadata.labels["app.kubernetes.io/name"]');
  });
});
