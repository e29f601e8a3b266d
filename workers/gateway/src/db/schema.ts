import { sqliteTable, text, integer, real, primaryKey, index, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Timestamps are integer milliseconds since the epoch. */
export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  /** `issuer|subject` of the OIDC identity; null for the local-mode user. */
  oidcSubject: text("oidc_subject").unique(),
  createdAt: integer("created_at").notNull(),
});

export const projects = sqliteTable(
  "projects",
  {
    id: text("id").primaryKey(),
    ownerId: text("owner_id")
      .notNull()
      .references(() => users.id),
    idea: text("idea").notNull(),
    state: text("state").notNull(),
    budgetUsd: real("budget_usd"),
    spentUsd: real("spent_usd").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    /**
     * Set once the ProjectDO confirmed it holds this project (create saga). A row still null a
     * minute after creation lost its orchestrator to a crash; the reconciler settles it.
     */
    confirmedAt: integer("confirmed_at"),
    /** The ProjectDO's event seq when this row was last synced: older syncs never overwrite newer ones. */
    syncSeq: integer("sync_seq").notNull().default(0),
  },
  (t) => [index("projects_owner_created").on(t.ownerId, t.createdAt), index("projects_unconfirmed").on(t.confirmedAt, t.createdAt)],
);

/** A queryable index of task states; the ProjectDO holds the source of truth. */
export const tasks = sqliteTable(
  "tasks",
  {
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    taskId: text("task_id").notNull(),
    role: text("role").notNull(),
    state: text("state").notNull(),
    attempt: integer("attempt").notNull(),
    updatedAt: integer("updated_at").notNull(),
    syncSeq: integer("sync_seq").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.taskId] })],
);

/** Every metered LLM call. Unique per (project, task, attempt, idx) so a re-delivered sync never double-counts. */
export const usageLedger = sqliteTable(
  "usage_ledger",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    ownerId: text("owner_id").notNull(),
    taskId: text("task_id").notNull(),
    attempt: integer("attempt").notNull(),
    idx: integer("idx").notNull(),
    provider: text("provider").notNull(),
    model: text("model").notNull(),
    inputTokens: integer("input_tokens").notNull(),
    outputTokens: integer("output_tokens").notNull(),
    costUsd: real("cost_usd").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("usage_ledger_once").on(t.projectId, t.taskId, t.attempt, t.idx),
    index("usage_ledger_owner").on(t.ownerId, t.createdAt),
  ],
);

/** Per-user provider keys, AES-GCM encrypted with a Worker secret; never returned by the API. */
export const apiKeys = sqliteTable(
  "api_keys",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    provider: text("provider").notNull(),
    ciphertext: text("ciphertext").notNull(),
    iv: text("iv").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.provider] })],
);

export const agentPrefs = sqliteTable(
  "agent_prefs",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role").notNull(),
    config: text("config", { mode: "json" }).notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.role] })],
);

/** Rotating refresh tokens (SaaS mode), stored as SHA-256 hashes; a family is revoked on reuse. */
export const refreshTokens = sqliteTable(
  "refresh_tokens",
  {
    hash: text("hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    family: text("family").notNull(),
    rotatedAt: integer("rotated_at"),
    revokedAt: integer("revoked_at"),
    expiresAt: integer("expires_at").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("refresh_tokens_family").on(t.family)],
);

/**
 * The model router's learned success rates per (role, provider, model): answers that validated,
 * and the Engineers' code that QA's real test run passed or failed. Incremented, never overwritten.
 */
export const routerStats = sqliteTable(
  "router_stats",
  {
    role: text("role").notNull(),
    provider: text("provider").notNull(),
    model: text("model").notNull(),
    successes: integer("successes").notNull().default(0),
    failures: integer("failures").notNull().default(0),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.role, t.provider, t.model] })],
);

/**
 * Single-use WebSocket tickets (browsers cannot send headers on an upgrade): stored hashed,
 * scoped to one user and one project, valid for seconds.
 */
export const wsTickets = sqliteTable(
  "ws_tickets",
  {
    hash: text("hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    projectId: text("project_id").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
  },
  (t) => [index("ws_tickets_user_expires").on(t.userId, t.expiresAt)],
);

/** `Idempotency-Key` of POST /api/projects per user: the same key and body give back the same project. */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    fingerprint: text("fingerprint").notNull(),
    projectId: text("project_id").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] })],
);

/** Outcomes already counted in router_stats: the outbox may deliver one twice; it counts once. */
export const routerOutcomesApplied = sqliteTable("router_outcomes_applied", {
  id: text("id").primaryKey(),
  createdAt: integer("created_at").notNull(),
});

// Semantic memory vectors (the agents own the table; defined with them, migrated from here).
export { memoryVectors } from "@proximus/agents/memory/schema";
