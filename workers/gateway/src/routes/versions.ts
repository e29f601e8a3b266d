import { Hono } from "hono";
import { createTwoFilesPatch } from "diff";
import { AppError, DiffQuery, zodDetails, type ArtifactRef } from "@proximus/contracts";
import { projectVersions } from "../../../../durable-objects/project/versions";
import { ownedProject } from "../project-stub";
import type { AppEnv } from "../app-env";

/** A diff reads every changed file from R2: keep one response bounded. */
const MAX_DIFF_BYTES = 4 * 1024 * 1024;

async function text(bucket: R2Bucket, ref: ArtifactRef | undefined): Promise<string> {
  if (!ref) return "";
  const obj = await bucket.get(ref.key);
  if (!obj) throw new AppError("internal", `artifact ${ref.path} is missing from storage`);
  return obj.text();
}

/** The project's workspace history and unified diffs between any two versions. */
export const versionRoutes = new Hono<AppEnv>()
  .get("/:id/versions", async (c) => {
    const { stub } = await ownedProject(c.var.db, c.env, c.var.user.id, c.req.param("id"));
    const { versions } = projectVersions((await stub.detail()).tasks);
    return c.json({ versions, latest: versions.length });
  })
  .get("/:id/diff", async (c) => {
    const q = DiffQuery.safeParse(c.req.query());
    if (!q.success) throw new AppError("validation_failed", "invalid diff query", zodDetails(q.error));
    const { stub } = await ownedProject(c.var.db, c.env, c.var.user.id, c.req.param("id"));
    const history = projectVersions((await stub.detail()).tasks);
    const latest = history.versions.length;
    const to = q.data.to ?? latest;
    const from = q.data.from ?? Math.max(0, to - 1);
    for (const [field, v] of [
      ["from", from],
      ["to", to],
    ] as const) {
      if (v > latest)
        throw new AppError("validation_failed", `no version ${v} (latest is ${latest})`, [{ field, message: `must be 0–${latest}` }]);
    }
    const a = history.filesAt(from);
    const b = history.filesAt(to);
    const paths = [...new Set([...a.keys(), ...b.keys()])]
      .filter((p) => a.get(p)?.sha256 !== b.get(p)?.sha256 && (!q.data.path || p === q.data.path))
      .sort();
    const bytes = paths.reduce((n, p) => n + (a.get(p)?.bytes ?? 0) + (b.get(p)?.bytes ?? 0), 0);
    if (bytes > MAX_DIFF_BYTES)
      throw new AppError("payload_too_large", `the files of this diff total ${bytes} bytes; ask for one file with ?path=`);
    const files = [];
    for (const path of paths) {
      const before = a.get(path);
      const after = b.get(path);
      const patch = createTwoFilesPatch(
        before ? `a/${path}` : "/dev/null",
        after ? `b/${path}` : "/dev/null",
        await text(c.env.ARTIFACTS, before),
        await text(c.env.ARTIFACTS, after),
        `v${from}`,
        `v${to}`,
      );
      files.push({ path, status: !before ? "added" : !after ? "deleted" : "modified", patch });
    }
    return c.json({ from, to, files });
  });
