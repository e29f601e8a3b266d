import type { Architecture } from "../roles/cto";
import type { Prd } from "../roles/ceo";
import type { DevopsOutput } from "../roles/devops";
import type { EngineerOutput } from "../roles/engineer";
import type { FinanceCommentary } from "../roles/finance";
import type { QaReview } from "../roles/qa";
import { backendFiles } from "./backend";
import { COMPATIBILITY_DATE, OFFLINE_LABEL } from "./label";
import { entityNames, plural, snake } from "./entities";
import { frontendFiles } from "./frontend";
import type { DataModel } from "./model";

/** Deterministic role outputs built from the idea and upstream data. Every summary carries OFFLINE_LABEL. */
const label = (s: string) => `[${OFFLINE_LABEL}] ${s}`;

export function offlinePrd(idea: string): Prd {
  const names = entityNames(idea);
  const people = names.filter((n) => /customer|user|client|member|owner|er$|or$|ist$/i.test(n) && n !== "Order");
  const users = (people.length ? people : ["Customer"]).slice(0, 3).map((p) => ({
    name: p,
    needs: [
      `Keep an up-to-date record of their ${plural(snake(names[0] ?? "item")).replace(/_/g, " ")}`,
      "Find and change information quickly from any device",
    ],
  }));
  const features = names.map((n, i) => {
    const things = plural(snake(n)).replace(/_/g, " ");
    return {
      id: `F${i + 1}`,
      name: `Manage ${things}`,
      description: `Create, view, list, edit and delete ${things}.`,
      priority: i === 0 ? ("must" as const) : ("should" as const),
      acceptanceCriteria: [
        `Creating a ${n} with valid fields stores it and returns it with an id`,
        `A stored ${n} can be fetched, listed, updated and deleted`,
        `Invalid ${n} input is rejected with a field-level validation error`,
      ],
    };
  });
  features.push({
    id: `F${names.length + 1}`,
    name: "Web interface",
    description: "A browser UI to manage every entity without using the API directly.",
    priority: "should",
    acceptanceCriteria: ["Every entity can be listed, created, edited and deleted from the UI", "API errors are shown to the user"],
  });
  return {
    summary: label(`Template PRD for: ${idea.slice(0, 300)}`),
    problem: `People behind "${idea.slice(0, 500)}" track ${names.map((n) => plural(snake(n)).replace(/_/g, " ")).join(", ")} by hand; records get lost and out of date.`,
    users,
    features,
    entities: names.map((n) => ({
      name: n,
      description: `A ${n.toLowerCase()} record (entity picked from the idea's nouns by a fixed heuristic).`,
    })),
    nonGoals: ["Payments", "Multi-tenant accounts", "Mobile apps"],
  };
}

export function offlineArchitecture(model: DataModel, entitiesFromPrd: boolean): Architecture {
  return {
    summary: label(
      `Template architecture: one Cloudflare Worker with D1 and a static UI, ${model.tables.length} tables${entitiesFromPrd ? " from the PRD's entities" : " from the idea's nouns"}.`,
    ),
    architecture: {
      style: "Single Worker serving a JSON API and static assets",
      components: [
        { name: "API Worker", responsibility: "Routes /api/<table> requests to CRUD handlers and validates input" },
        { name: "D1 database", responsibility: "Stores every entity; schema managed by migrations" },
        { name: "Static UI", responsibility: "HTML + ES modules served as Workers assets, calling the API" },
      ],
    },
    stack: {
      runtime: "Cloudflare Workers",
      language: "JavaScript (ES modules)",
      database: "Cloudflare D1 (SQLite)",
      frontend: "Plain HTML + ES modules",
      testing: "node:test with node:sqlite",
    },
    dbSchema: { tables: model.tables },
    api: [
      { method: "GET", path: "/health", description: "Liveness check" },
      ...model.tables.flatMap((t) => [
        { method: "GET" as const, path: `/api/${t.name}`, description: `List ${t.name} (limit, offset)` },
        { method: "POST" as const, path: `/api/${t.name}`, description: `Create a ${t.entity}` },
        { method: "GET" as const, path: `/api/${t.name}/{id}`, description: `Fetch one ${t.entity}` },
        { method: "PUT" as const, path: `/api/${t.name}/{id}`, description: `Update a ${t.entity}` },
        { method: "DELETE" as const, path: `/api/${t.name}/{id}`, description: `Delete a ${t.entity}` },
      ]),
    ],
  };
}

function feedbackNote(feedback: string | undefined): string {
  if (!feedback) return "";
  const first = feedback.split("\n").find((l) => l.trim()) ?? "";
  return ` Regenerated from the known-good template after QA feedback ("${first.slice(0, 200)}").`;
}

export function offlineBackend(model: DataModel, slug: string, feedback?: string): EngineerOutput {
  return {
    summary: label(
      `Worker + D1 CRUD for ${model.tables.map((t) => t.name).join(", ")}, with end-to-end tests on node:sqlite.${feedbackNote(feedback)}`,
    ),
    files: backendFiles(model, slug),
  };
}

export function offlineFrontend(model: DataModel, slug: string, feedback?: string): EngineerOutput {
  return {
    summary: label(`Static UI for ${model.tables.map((t) => t.name).join(", ")} with a tested API client.${feedbackNote(feedback)}`),
    files: frontendFiles(model, slug),
  };
}

/** A checklist review of the engineers' file lists (the offline provider reads no code). */
export function offlineQaReview(upstream: Record<string, unknown>): QaReview {
  const paths = Object.values(upstream).flatMap((v) => {
    const files = (v as { files?: unknown } | null)?.files;
    return Array.isArray(files) ? files.map((f) => (f as { path?: unknown }).path).filter((p): p is string => typeof p === "string") : [];
  });
  const findings: QaReview["findings"] = [
    {
      severity: "info",
      message: `${OFFLINE_LABEL}: checklist review of file names only; the verdict comes from really running the tests.`,
    },
  ];
  const tests = paths.filter((p) => /(^|\/)test\/|\.test\.m?js$/.test(p));
  if (!tests.length) findings.push({ severity: "critical", message: "No test files were produced." });
  else findings.push({ severity: "info", message: `Test files: ${tests.join(", ")}` });
  if (!paths.includes("package.json"))
    findings.push({ severity: "major", message: "No package.json: the test command cannot be discovered." });
  if (!paths.some((p) => p.startsWith("migrations/"))) findings.push({ severity: "major", message: "No D1 migrations." });
  return { summary: label(`Reviewed ${paths.length} files.`), findings };
}

export function offlineDevops(model: DataModel, slug: string): DevopsOutput {
  const db = `${slug}-db`;
  const wrangler = `// Generated by the Proximus ${OFFLINE_LABEL}. Production config.
{
  "name": ${JSON.stringify(slug)},
  "main": "src/index.js",
  "compatibility_date": ${JSON.stringify(COMPATIBILITY_DATE)},
  "observability": { "enabled": true },
  "assets": { "directory": "./public", "binding": "ASSETS" },
  "d1_databases": [
    { "binding": "DB", "database_name": ${JSON.stringify(db)}, "database_id": "00000000-0000-0000-0000-000000000000", "migrations_dir": "migrations" },
  ],
}
`;
  const terraform = `# Generated by the Proximus ${OFFLINE_LABEL}.
terraform {
  required_providers {
    cloudflare = {
      source  = "cloudflare/cloudflare"
      version = "~> 5.0"
    }
  }
}

variable "account_id" {
  type        = string
  description = "Cloudflare account id"
}

provider "cloudflare" {}

resource "cloudflare_d1_database" "db" {
  account_id = var.account_id
  name       = "${db}"
}

resource "cloudflare_workers_script" "app" {
  account_id         = var.account_id
  script_name        = "${slug}"
  content            = file("\${path.module}/../../src/index.js")
  main_module        = "index.js"
  compatibility_date = "${COMPATIBILITY_DATE}"
  bindings = [
    {
      name = "DB"
      type = "d1"
      id   = cloudflare_d1_database.db.id
    },
  ]
}

output "d1_database_id" {
  value = cloudflare_d1_database.db.id
}
`;
  const k8s = `# Generated by the Proximus ${OFFLINE_LABEL}. Runs the Worker under wrangler dev (workerd) in a container.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${slug}
  labels:
    app: ${slug}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: ${slug}
  template:
    metadata:
      labels:
        app: ${slug}
    spec:
      containers:
        - name: worker
          image: registry.example.com/${slug}:0.1.0
          command: ["npx", "wrangler", "dev", "--ip", "0.0.0.0", "--port", "8787"]
          ports:
            - containerPort: 8787
          readinessProbe:
            httpGet:
              path: /health
              port: 8787
          resources:
            limits:
              memory: 256Mi
              cpu: 500m
---
apiVersion: v1
kind: Service
metadata:
  name: ${slug}
spec:
  selector:
    app: ${slug}
  ports:
    - port: 80
      targetPort: 8787
`;
  return {
    summary: label(
      `Deployment files for ${slug}: wrangler.jsonc, Terraform (D1 + Worker) and Kubernetes (Deployment + Service); ${model.tables.length} tables to migrate.`,
    ),
    wrangler: { format: "jsonc", content: wrangler },
    terraform,
    kubernetes: k8s,
    runbook: [
      `terraform apply -var account_id=<id> (creates ${db} and the Worker)`,
      "Put the printed d1_database_id into deploy/wrangler.jsonc",
      `wrangler d1 migrations apply ${db} --remote -c deploy/wrangler.jsonc`,
      "wrangler deploy -c deploy/wrangler.jsonc",
      `curl https://${slug}.<subdomain>.workers.dev/health`,
    ],
  };
}

export function offlineFinance(): FinanceCommentary {
  return {
    summary: label("Cost report. Every figure is computed from the metered usage ledger; this commentary is a fixed template."),
    observations: ["Offline runs cost nothing: no model was called.", "Figures cover the tasks recorded in the ledger at dispatch time."],
    recommendations: [
      "Use the cheapest model that passes QA for the Engineer roles.",
      "Keep fix rounds bounded: each round re-runs both Engineers and QA.",
    ],
  };
}
