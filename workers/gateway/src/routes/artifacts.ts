import { Hono } from "hono";
import { zipSync } from "fflate";
import { AppError, type ProjectDetail } from "../../../../contracts";
import { ownedProject } from "../project-stub";
import type { AppEnv } from "../app-env";

interface ListedArtifact {
  path: string;
  key: string;
  bytes: number;
  sha256: string;
  taskId: string;
  contentType?: string;
}

/** The project's current files: a later task (a fix round) replaces an earlier file at the same path. */
export function currentArtifacts(detail: ProjectDetail): ListedArtifact[] {
  const byPath = new Map<string, ListedArtifact>();
  const done = detail.tasks.filter((t) => t.state === "succeeded").sort((a, b) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0));
  for (const t of done) for (const a of t.artifacts) byPath.set(a.path, { ...a, taskId: t.id });
  return [...byPath.values()].sort((a, b) => a.path.localeCompare(b.path));
}

const MAX_ZIP_BYTES = 50 * 1024 * 1024;

export const artifactRoutes = new Hono<AppEnv>()
  .get("/:id/artifacts", async (c) => {
    const { stub } = await ownedProject(c.var.db, c.env, c.var.user.id, c.req.param("id"));
    return c.json({ artifacts: currentArtifacts(await stub.detail()) });
  })
  .get("/:id/artifacts/*", async (c) => {
    const { stub } = await ownedProject(c.var.db, c.env, c.var.user.id, c.req.param("id"));
    const prefix = `/api/projects/${c.req.param("id")}/artifacts/`;
    const path = decodeURIComponent(new URL(c.req.url).pathname.slice(prefix.length));
    const found = currentArtifacts(await stub.detail()).find((a) => a.path === path);
    if (!found) throw new AppError("not_found", `no artifact at ${path}`);
    const obj = await c.env.ARTIFACTS.get(found.key);
    if (!obj) throw new AppError("not_found", `artifact ${path} is missing from storage`);
    return new Response(obj.body, {
      headers: {
        "content-type": found.contentType ?? "text/plain; charset=utf-8",
        "x-content-type-options": "nosniff",
        "content-length": String(obj.size),
        etag: `"${found.sha256}"`,
      },
    });
  })
  .get("/:id/download", async (c) => {
    const id = c.req.param("id");
    const { stub } = await ownedProject(c.var.db, c.env, c.var.user.id, id);
    const list = currentArtifacts(await stub.detail());
    if (list.length === 0) throw new AppError("not_found", "this project has no files yet");
    const total = list.reduce((n, a) => n + a.bytes, 0);
    if (total > MAX_ZIP_BYTES) throw new AppError("payload_too_large", `project files total ${total} bytes; the zip limit is ${MAX_ZIP_BYTES}`);
    const files: Record<string, Uint8Array> = {};
    for (const a of list) {
      const obj = await c.env.ARTIFACTS.get(a.key);
      if (!obj) throw new AppError("internal", `artifact ${a.path} is missing from storage`);
      files[a.path] = new Uint8Array(await obj.arrayBuffer());
    }
    const zip = zipSync(files, { level: 6 });
    return new Response(zip, {
      headers: { "content-type": "application/zip", "content-disposition": `attachment; filename="proximus-${id.slice(0, 8)}.zip"` },
    });
  });
