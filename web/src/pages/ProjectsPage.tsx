import { useEffect, useState } from "react";
import type { ProjectSummary } from "@proximus/contracts/api";
import { api } from "../api/endpoints";
import { ApiError } from "../api/http";
import { NewProjectForm } from "../components/NewProjectForm";
import { StateBadge } from "../components/StateBadge";
import { usd, when } from "../lib/format";
import { Link } from "../router";

export function ProjectsPage() {
  const [projects, setProjects] = useState<ProjectSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const load = () =>
      api.listProjects().then(
        (p) => {
          if (!live) return;
          setProjects(p.sort((a, b) => b.createdAt - a.createdAt));
          setError(null);
        },
        (err: unknown) => live && setError(err instanceof ApiError ? err.userMessage : "Could not load projects"),
      );
    void load();
    // Running projects change state; a slow poll keeps the list honest without a socket per row.
    const t = setInterval(() => void load(), 5000);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, []);

  return (
    <div className="page projects-page">
      <NewProjectForm />
      <section className="panel" aria-labelledby="projects-h">
        <h2 id="projects-h">Projects</h2>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {projects === null ? (
          <p className="muted">Loading…</p>
        ) : projects.length === 0 ? (
          <p className="muted">No projects yet. Describe an idea to start one.</p>
        ) : (
          <div className="table-wrap">
            <table className="projects">
              <thead>
                <tr>
                  <th scope="col">Idea</th>
                  <th scope="col">State</th>
                  <th scope="col">Spent</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {projects.map((p) => (
                  <tr key={p.id}>
                    <td className="idea-cell">
                      <Link to={`/projects/${encodeURIComponent(p.id)}`}>{p.idea}</Link>
                    </td>
                    <td>
                      <StateBadge state={p.state} />
                    </td>
                    <td>
                      {usd(p.spentUsd)}
                      {p.budgetUsd !== null ? ` / ${usd(p.budgetUsd)}` : ""}
                    </td>
                    <td>{when(p.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
