import { useState } from "react";
import type { ProjectDetail, TaskView } from "@proximus/contracts/api";
import { ROLE_LABELS } from "@proximus/contracts/roles";
import { api } from "../api/endpoints";
import { ApiError } from "../api/http";

/** In the task drawer of a finished, gated task: lets the tasks after it run. */
export function ApproveBox({ projectId, task, onDetail }: { projectId: string; task: TaskView; onDetail(d: ProjectDetail): void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const approve = async () => {
    setBusy(true);
    setError(null);
    try {
      onDetail(await api.approveTask(projectId, task.id));
    } catch (err) {
      setError(err instanceof ApiError ? err.userMessage : "Could not reach the server.");
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="approve-box" aria-label="Approval">
      <p>
        <strong>Waiting for your approval.</strong> Review {ROLE_LABELS[task.role]}'s output below; the tasks after it start once you
        approve. To change it instead, redo it with instructions.
      </p>
      <button type="button" onClick={() => void approve()} disabled={busy}>
        {busy ? "Approving…" : "Approve"}
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
