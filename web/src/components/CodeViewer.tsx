import { useEffect, useState } from "react";
import { downloadClick } from "../api/download";
import { api, artifactUrl } from "../api/endpoints";
import { ApiError } from "../api/http";
import { bytes } from "../lib/format";

const MAX_VIEW_BYTES = 512 * 1024;

/** Read-only view of one artifact with line numbers. Big or binary files get a download link instead. */
export function CodeViewer({ projectId, path, size }: { projectId: string; path: string; size: number }) {
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const tooBig = size > MAX_VIEW_BYTES;

  useEffect(() => {
    if (tooBig) return;
    let live = true;
    setText(null);
    setError(null);
    api.artifactText(projectId, path).then(
      (t) => live && setText(t),
      (err: unknown) => live && setError(err instanceof ApiError ? err.userMessage : "Could not load the file"),
    );
    return () => {
      live = false;
    };
  }, [projectId, path, tooBig]);

  const binary = text !== null && text.includes("\u0000");
  const lines = text === null ? [] : text.replace(/\n$/, "").split("\n");
  return (
    <section className="code-viewer" aria-label={`File ${path}`} data-testid="code-viewer" data-path={path}>
      <header className="code-head">
        <code>{path}</code>
        <span className="muted">{bytes(size)}</span>
        <a
          href={artifactUrl(projectId, path)}
          download={path.split("/").pop()}
          onClick={downloadClick(artifactUrl(projectId, path), path.split("/").pop() ?? "file", setError)}
        >
          Raw
        </a>
      </header>
      {tooBig || binary ? (
        <p className="muted pad">This file is {binary ? "binary" : "too large to show"}; use the Raw link to download it.</p>
      ) : error ? (
        <p className="error pad">{error}</p>
      ) : text === null ? (
        <p className="muted pad">Loading…</p>
      ) : (
        <div className="code" tabIndex={0} role="region" aria-label={`Contents of ${path}`}>
          <pre className="gutter" aria-hidden="true">
            {lines.map((_, i) => i + 1).join("\n")}
          </pre>
          <pre className="src">
            <code>{lines.join("\n")}</code>
          </pre>
        </div>
      )}
    </section>
  );
}
