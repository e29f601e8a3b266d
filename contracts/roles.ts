import { z } from "zod";

/**
 * The role registry: everything about a role that more than one part of the system reads — the
 * DAG (deps, task title), the budget estimate (typical tokens), the router (default model, whether
 * it writes code), the dashboard and the CLI (label). A role's behaviour (prompt, output schema,
 * tools, offline generator) is its definition file in workers/agents/src/roles/, which the agents'
 * registry requires for every id here. Adding a role: one entry below plus that file.
 */
const REGISTRY = {
  ceo: {
    label: "CEO",
    title: "Market research & PRD",
    deps: [],
    typicalTokens: { input: 2_000, output: 2_000 },
    defaultLlm: { provider: "bedrock", model: "amazon.nova-lite-v1:0", maxTokens: 4_000 },
    writesCode: false,
  },
  cto: {
    label: "CTO",
    title: "Architecture, schema & stack",
    deps: ["ceo"],
    typicalTokens: { input: 4_000, output: 3_000 },
    defaultLlm: { provider: "bedrock", model: "amazon.nova-lite-v1:0", maxTokens: 6_000 },
    writesCode: false,
  },
  engineer_fe: {
    label: "Engineer (FE)",
    title: "Frontend implementation",
    deps: ["cto"],
    typicalTokens: { input: 6_000, output: 8_000 },
    defaultLlm: { provider: "bedrock", model: "amazon.nova-lite-v1:0", maxTokens: 16_000 },
    writesCode: true,
  },
  engineer_be: {
    label: "Engineer (BE)",
    title: "Backend implementation",
    deps: ["cto"],
    typicalTokens: { input: 6_000, output: 8_000 },
    defaultLlm: { provider: "bedrock", model: "amazon.nova-lite-v1:0", maxTokens: 16_000 },
    writesCode: true,
  },
  qa: {
    label: "QA",
    title: "Review & run tests in sandbox",
    deps: ["engineer_fe", "engineer_be"],
    typicalTokens: { input: 10_000, output: 2_000 },
    defaultLlm: { provider: "bedrock", model: "amazon.nova-lite-v1:0", maxTokens: 3_000 },
    writesCode: false,
  },
  devops: {
    label: "DevOps",
    title: "Deploy config & IaC",
    deps: ["qa"],
    typicalTokens: { input: 4_000, output: 3_000 },
    defaultLlm: { provider: "bedrock", model: "amazon.nova-lite-v1:0", maxTokens: 6_000 },
    writesCode: true,
  },
  // Last, after DevOps: its cost report must cover every other task's usage.
  finance: {
    label: "Finance",
    title: "Cost report",
    deps: ["devops"],
    typicalTokens: { input: 2_000, output: 1_000 },
    defaultLlm: { provider: "bedrock", model: "amazon.nova-micro-v1:0", maxTokens: 1_500 },
    writesCode: false,
  },
} as const satisfies Record<string, RoleEntry<string>>;

interface RoleEntry<Id extends string> {
  /** Short name on the dashboard and in the CLI. */
  label: string;
  /** The title of the role's task in the DAG. */
  title: string;
  /** Roles whose tasks must succeed first. */
  deps: readonly Id[];
  /** A pessimistic size of the role's prompt and answer: the budget reserves its cost before dispatch. */
  typicalTokens: { input: number; output: number };
  /** The seed design's model for the role; a task's own llm config wins, the router may pick another. */
  defaultLlm: { provider: "bedrock"; model: string; maxTokens: number };
  /** The router prefers stronger models for roles that write code. */
  writesCode: boolean;
}

export type Role = keyof typeof REGISTRY;
/** Every role, in DAG order (each after its dependencies). */
export const ROLES = Object.keys(REGISTRY) as (keyof typeof REGISTRY)[];
export const Role = z.enum(ROLES as [Role, ...Role[]]);

export const ROLE_REGISTRY: { readonly [R in Role]: RoleEntry<Role> } = REGISTRY;

export const ROLE_LABELS = Object.fromEntries(ROLES.map((r) => [r, REGISTRY[r].label])) as Record<Role, string>;
