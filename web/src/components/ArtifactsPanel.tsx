import { useEffect, useMemo, useState } from "react";
import { downloadClick } from "../api/download";
import { api, downloadUrl, type ArtifactEntry } from "../api/endpoints";
import { ApiError } from "../api/http";
import { bytes } from "../lib/format";
import { buildTree, type TreeDir } from "../lib/tree";
import { CodeViewer } from "./CodeViewer";

function Tree({ dir, selected, onSelect }: { dir: TreeDir; selected: string | null; onSelect(path: string): void }) {
  return (
    // Plain lists, native <details> and buttons: keyboard-operable without a hand-rolled ARIA tree.
    <ul className="tree">
      {dir.children.map((c) =>
        c.kind === "dir" ? (
          <li key={c.path}>
            <details open>
              <summary>{c.name}/</summary>
              <Tree dir={c} selected={selected} onSelect={onSelect} />
            </details>
          </li>
        ) : (
          <li key={c.path}>
            <button
              type="button"
              className={`tree-file${selected === c.path ? " selected" : ""}`}
              data-path={c.path}
              aria-current={selected === c.path ? "true" : undefined}
              onClick={() => onSelect(c.path)}
            >
              {c.name}
            </button>
            <span className="muted"> {bytes(c.bytes)}</span>
          </li>
        ),
      )}
    </ul>
  );
}

/** Files the agents produced, as a tree, with a viewer and the zip download. */
export function ArtifactsPanel(props: {
  projectId: string;
  version: number;
  selected: string | null;
  onSelect(path: string | null): void;
}) {
  const { projectId, version, selected, onSelect } = props;
  const [files, setFiles] = useState<ArtifactEntry[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    // Artifacts arrive in bursts; one list request per burst is enough.
    const t = setTimeout(
      () => {
        api.artifacts(projectId).then(
          (list) => {
            if (!live) return;
            setFiles(list);
            setError(null);
          },
          (err: unknown) => live && setError(err instanceof ApiError ? err.userMessage : "Could not list files"),
        );
      },
      version === 0 ? 0 : 400,
    );
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [projectId, version]);

  const tree = useMemo(() => buildTree(files), [files]);
  const current = files.find((f) => f.path === selected);
  const total = files.reduce((s, f) => s + f.bytes, 0);

  return (
    <section className="panel artifacts" aria-labelledby="artifacts-h">
      <header className="panel-head">
        <h2 id="artifacts-h">
          Files{" "}
          <span className="muted">
            ({files.length}, {bytes(total)})
          </span>
        </h2>
        <a
          className={`button${files.length === 0 ? " disabled" : ""}`}
          href={downloadUrl(projectId)}
          download
          onClick={downloadClick(downloadUrl(projectId), `proximus-${projectId.slice(0, 8)}.zip`, setError)}
          aria-disabled={files.length === 0}
          data-testid="download-zip"
        >
          Download zip
        </a>
      </header>
      {error && <p className="error">{error}</p>}
      <div className="artifacts-body">
        <nav className="tree-wrap" aria-label="Files">
          {files.length === 0 ? <p className="muted">No files yet.</p> : <Tree dir={tree} selected={selected} onSelect={onSelect} />}
        </nav>
        {current ? (
          <CodeViewer projectId={projectId} path={current.path} size={current.bytes} />
        ) : (
          <p className="muted code-placeholder">{files.length ? "Select a file to view it." : ""}</p>
        )}
      </div>
    </section>
  );
}
