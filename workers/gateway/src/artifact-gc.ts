/**
 * Deletes a project's R2 objects that no applied result references: files written by attempts
 * that timed out, failed, or answered after a cancel. `keep` holds every referenced key.
 */
export async function deleteUnreferencedArtifacts(bucket: R2Bucket, projectId: string, keep: readonly string[]): Promise<number> {
  const referenced = new Set(keep);
  let cursor: string | undefined;
  let deleted = 0;
  do {
    const page = await bucket.list({ prefix: `projects/${projectId}/`, ...(cursor ? { cursor } : {}) });
    const doomed = page.objects.map((o) => o.key).filter((k) => !referenced.has(k));
    if (doomed.length > 0) await bucket.delete(doomed);
    deleted += doomed.length;
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return deleted;
}
