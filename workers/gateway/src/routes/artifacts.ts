import { Hono } from "hono";
import { zipSync } from "fflate";
import { AppError, type ProjectDetail } from "@proximus/contracts";
import { currentFiles } from "../../../../durable-objects/project/current-files";
import { ownedProject } from "../project-stub";
import type { AppEnv } from "../app-env";

/** The files QA tested and the zip contains (one definition, shared with the ProjectDO). */
export const projectFiles = (detail: ProjectDetail) => currentFiles(detail.tasks);

const MAX_ZIP_BYTES = 50 * 1024 * 1024;

export const artifactRoutes = new Hono<AppEnv>()
  .get("/:id/artifacts", async (c) => {
    const { stub } = await ownedProject(c.var.db, c.env, c.var.user.id, c.req.param("id"));
    return c.json({ artifacts: projectFiles(await stub.detail()) });
  })
  .get("/:id/artifacts/*", async (c) => {
    const { stub } = await ownedProject(c.var.db, c.env, c.var.user.id, c.req.param("id"));
    const prefix = `/api/projects/${c.req.param("id")}/artifacts/`;
    let path: string;
    try {
      path = decodeURIComponent(new URL(c.req.url).pathname.slice(prefix.length));
    } catch {
      throw new AppError("bad_request", "artifact path is not valid percent-encoding", [{ field: "path", message: "malformed %-escape" }]);
    }
    const found = projectFiles(await stub.detail()).find((a) => a.path === path);
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
    const list = projectFiles(await stub.detail());
    if (list.length === 0) throw new AppError("not_found", "this project has no files yet");
    const total = list.reduce((n, a) => n + a.bytes, 0);
    if (total > MAX_ZIP_BYTES)
      throw new AppError("payload_too_large", `project files total ${total} bytes; the zip limit is ${MAX_ZIP_BYTES}`);
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
