import { Hono } from "hono";
import { z } from "zod";
import { and, desc, eq } from "drizzle-orm";
import {
  AppError,
  CreateProjectRequest,
  EventsQuery,
  InterveneRequest,
  UpdateBudgetRequest,
  type ProjectSummary,
} from "@proximus/contracts";
import { projects } from "../db/schema";
import { ensureUser } from "../db/users";
import { ownedProject, projectStub } from "../project-stub";
import { jsonBody, parseWith } from "../validate";
import type { AppEnv } from "../app-env";
import { loadAgentPrefs } from "../db/agent-prefs";
import { ensureBusConsumersSoon } from "../bus-consumers";
import { formatTraceparent } from "@proximus/shared/tracing/traceparent";
import { claimIdempotencyKey, fingerprint, idempotencyKeyOf } from "../auth/idempotency";
import { createProjectSaga } from "../sagas/create-project";

/** Task ids are the DAG's: a role name, optionally with a fix-round suffix (engineer_be_fix1, qa_2). */
const TaskIdParam = z.string().regex(/^[a-z_]{2,32}[0-9]{0,3}$/, "not a task id of this DAG");

export const projectRoutes = new Hono<AppEnv>()
  .post("/", async (c) => {
    const body = await jsonBody(c, CreateProjectRequest);
    const idemKey = idempotencyKeyOf(c);
    const user = c.var.user;
    await ensureUser(c.var.db, user);
    const id = crypto.randomUUID();
    // The user's saved agent prefs are defaults; overrides in the request win per role. Read
    // before the idempotency key is claimed: from the claim on, only the saga (which frees the
    // key on failure) stands between it and a project.
    const llm = { ...(await loadAgentPrefs(c.var.db, user.id)), ...body.llm };
    if (idemKey !== undefined) {
      const claim = await claimIdempotencyKey(c.var.db, user.id, idemKey, await fingerprint(body), id);
      if (claim.kind === "replay") {
        // The project row is written before the orchestrator starts; until then the first request is still running.
        const row = await c.var.db.query.projects.findFirst({
          where: and(eq(projects.id, claim.projectId), eq(projects.ownerId, user.id)),
        });
        if (!row) throw new AppError("conflict", "a request with this Idempotency-Key is in progress; retry shortly");
        c.header("Location", `/api/projects/${claim.projectId}`);
        c.header("Idempotency-Replayed", "true");
        return c.json(await projectStub(c.env, claim.projectId).detail(), 201);
      }
    }
    // The project's tasks join this request's trace (set by the tracing middleware).
    const trace = c.get("trace");
    const detail = await createProjectSaga(c.var.db, c.env, {
      id,
      userId: user.id,
      body,
      llm,
      ...(trace ? { traceparent: formatTraceparent(trace) } : {}),
      ...(idemKey !== undefined ? { idempotencyKey: idemKey } : {}),
    });
    ensureBusConsumersSoon(c.env, () => c.executionCtx);
    c.header("Location", `/api/projects/${id}`);
    return c.json(detail, 201);
  })
  .get("/", async (c) => {
    const rows = await c.var.db.query.projects.findMany({
      where: eq(projects.ownerId, c.var.user.id),
      orderBy: desc(projects.createdAt),
      limit: 200,
    });
    const list: ProjectSummary[] = rows.map((r) => ({
      id: r.id,
      idea: r.idea,
      state: r.state as ProjectSummary["state"],
      budgetUsd: r.budgetUsd,
      spentUsd: r.spentUsd,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    }));
    return c.json({ projects: list });
  })
  .get("/:id", async (c) => {
    const { stub } = await ownedProject(c.var.db, c.env, c.var.user.id, c.req.param("id"));
    return c.json(await stub.detail());
  })
  .delete("/:id", async (c) => {
    const { stub } = await ownedProject(c.var.db, c.env, c.var.user.id, c.req.param("id"));
    return c.json(await stub.cancel());
  })
  .post("/:id/budget", async (c) => {
    const { stub } = await ownedProject(c.var.db, c.env, c.var.user.id, c.req.param("id"));
    const body = await jsonBody(c, UpdateBudgetRequest);
    return c.json(await stub.raiseBudget(body.budgetUsd));
  })
  .post("/:id/tasks/:taskId/approve", async (c) => {
    const { stub } = await ownedProject(c.var.db, c.env, c.var.user.id, c.req.param("id"));
    return c.json(await stub.approveTask(parseWith(TaskIdParam, c.req.param("taskId"), "task id")));
  })
  .post("/:id/tasks/:taskId/intervene", async (c) => {
    const { stub } = await ownedProject(c.var.db, c.env, c.var.user.id, c.req.param("id"));
    const taskId = parseWith(TaskIdParam, c.req.param("taskId"), "task id");
    const { feedback } = await jsonBody(c, InterveneRequest);
    return c.json(await stub.interveneTask(taskId, feedback));
  })
  .post("/:id/tasks/:taskId/retry", async (c) => {
    const { stub } = await ownedProject(c.var.db, c.env, c.var.user.id, c.req.param("id"));
    const taskId = parseWith(TaskIdParam, c.req.param("taskId"), "task id");
    return c.json(await stub.retryTask(taskId));
  })
  .get("/:id/events", async (c) => {
    const { stub } = await ownedProject(c.var.db, c.env, c.var.user.id, c.req.param("id"));
    const q = parseWith(EventsQuery, c.req.query(), "query");
    return c.json(await stub.events(q.since, q.limit));
  })
  .get("/:id/ws", async (c) => {
    const { stub } = await ownedProject(c.var.db, c.env, c.var.user.id, c.req.param("id"));
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new AppError("bad_request", "this endpoint needs a WebSocket upgrade (Upgrade: websocket)");
    }
    const since = parseWith(EventsQuery.pick({ since: true }), { since: c.req.query("since") ?? "0" }, "query").since;
    const url = new URL(c.req.url);
    url.search = `?since=${since}`;
    // Passed through unchanged so the DO can accept it with hibernation.
    return stub.fetch(new Request(url, c.req.raw));
  });
