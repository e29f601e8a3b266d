import { describe, expect, it } from "vitest";
import { validateK8sManifests } from "./k8s";
import { parseJsonc } from "./jsonc";
import { parseToml } from "./toml";
import { validateWranglerConfig } from "./wrangler";

describe("parseJsonc", () => {
  it("accepts comments and trailing commas but keeps them inside strings", () => {
    expect(parseJsonc('// head\n{ "a": "http://x//y", /* c */ "b": [1, 2,], "c": "/* not a comment */", }')).toEqual({ a: "http://x//y", b: [1, 2], c: "/* not a comment */" });
    expect(parseJsonc('{"q": "a \\" , }"}')).toEqual({ q: 'a " , }' });
  });
  it("rejects malformed input", () => {
    expect(() => parseJsonc('{ "a": 1 "b": 2 }')).toThrow();
    expect(() => parseJsonc('{ "a": "open }')).toThrow(/unterminated string/);
    expect(() => parseJsonc('{ "a": 1 /* }')).toThrow(/unterminated block comment/);
  });
});

describe("parseToml", () => {
  it("parses the wrangler.toml subset", () => {
    const doc = parseToml(`# comment
name = "app" # trailing
main = 'src/index.js'
compatibility_date = 2025-01-01
compatibility_flags = ["nodejs_compat",
  "x"]
workers_dev = true
limits = { cpu_ms = 50 }

[vars]
GREETING = "hi\\n"

[[d1_databases]]
binding = "DB"
database_name = "db"

[[d1_databases]]
binding = "OTHER"
database_name = "other"
`);
    expect(doc).toEqual({
      name: "app",
      main: "src/index.js",
      compatibility_date: "2025-01-01",
      compatibility_flags: ["nodejs_compat", "x"],
      workers_dev: true,
      limits: { cpu_ms: 50 },
      vars: { GREETING: "hi\n" },
      d1_databases: [
        { binding: "DB", database_name: "db" },
        { binding: "OTHER", database_name: "other" },
      ],
    });
  });
  it.each([
    ['name = "open', /unterminated string/],
    ["name = ", /expected a value/],
    ['name = "a"\nname = "b"', /duplicate key/],
    ['[vars]\n[vars]', /defined twice/],
    ['name "a"', /expected '='/],
    ['name = "a" junk', /after value/],
    ["[vars", /unterminated table header/],
  ])("rejects %s", (src, err) => {
    expect(() => parseToml(src)).toThrow(err);
  });
});

describe("validateWranglerConfig", () => {
  const good = '{\n  // c\n  "name": "my-app",\n  "main": "src/index.js",\n  "compatibility_date": "2025-01-01",\n  "d1_databases": [{ "binding": "DB", "database_name": "db" },],\n}';
  it("accepts valid JSONC and TOML", () => {
    expect(validateWranglerConfig(good, "jsonc")).toEqual([]);
    expect(validateWranglerConfig('name = "my-app"\nmain = "src/index.js"\ncompatibility_date = "2025-01-01"\n', "toml")).toEqual([]);
  });
  it("rejects missing keys, bad values and syntax errors", () => {
    expect(validateWranglerConfig('{ "main": "x.js", "compatibility_date": "2025-01-01" }', "jsonc")).toEqual([expect.stringContaining('"name"')]);
    expect(validateWranglerConfig('{ "name": "a", "compatibility_date": "2025-13-45" }', "jsonc")).toEqual([expect.stringContaining('"main"'), expect.stringContaining("compatibility_date")]);
    expect(validateWranglerConfig('{ "name": "My App", "main": "x.js", "compatibility_date": "2025-01-01", "d1_databases": [{}] }', "jsonc")).toEqual([
      expect.stringContaining('"name"'),
      expect.stringContaining("d1_databases[0]"),
    ]);
    expect(validateWranglerConfig('{ "name": "a", ', "jsonc")[0]).toMatch(/^wrangler.jsonc: /);
    expect(validateWranglerConfig('name = "a"\nmain = \n', "toml")[0]).toMatch(/^wrangler.toml: line 2/);
    expect(validateWranglerConfig("[1, 2]", "jsonc")).toEqual(["wrangler.jsonc: top level must be an object"]);
  });
});

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
          ports: [{ containerPort: 80 }]
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

describe("validateK8sManifests", () => {
  it("accepts a Deployment and a matching Service, plus other kinds", () => {
    expect(validateK8sManifests(`${DEPLOYMENT}---\n${SERVICE}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: b\n`)).toEqual([]);
  });
  it("reports YAML syntax errors", () => {
    expect(validateK8sManifests("apiVersion: v1\nkind: [Service\n")[0]).toMatch(/^k8s document 1: /);
    expect(validateK8sManifests("a: b\n  c: d\n")[0]).toMatch(/^k8s document 1: /);
  });
  it.each([
    ["missing apiVersion", DEPLOYMENT.replace("apiVersion: apps/v1\n", ""), /apiVersion is required/],
    ["wrong Deployment apiVersion", DEPLOYMENT.replace("apps/v1", "v1"), /must be apps\/v1/],
    ["invalid name", DEPLOYMENT.replace("name: web\nspec", "name: Web_App\nspec"), /metadata.name/],
    ["selector not matching labels", DEPLOYMENT.replace("matchLabels: { app: web }", "matchLabels: { app: api }"), /does not match the pod template labels/],
    ["no containers", DEPLOYMENT.replace(/containers:[\s\S]*$/, "containers: []\n"), /containers must be a non-empty list/],
    ["container without image", DEPLOYMENT.replace("          image: nginx:1.27\n", ""), /image is required/],
    ["bad containerPort", DEPLOYMENT.replace("containerPort: 80", "containerPort: 70000"), /containerPort/],
    ["Service without ports", SERVICE.replace(/  ports:[\s\S]*$/, ""), /spec.ports must be a non-empty list/],
    ["Service selecting nothing", `${DEPLOYMENT}---\n${SERVICE.replace("selector: { app: web }", "selector: { app: other }")}`, /matches no Deployment/],
    ["empty file", "---\n", /no objects/],
  ])("rejects %s", (_n, src, err) => {
    expect(validateK8sManifests(src).join("\n")).toMatch(err);
  });
});
