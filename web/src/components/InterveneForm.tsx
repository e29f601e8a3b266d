import { useId, useState, type FormEvent } from "react";
import { InterveneRequest, type ProjectDetail, type TaskView } from "@proximus/contracts/api";
import { api } from "../api/endpoints";
import { ApiError } from "../api/http";

/** Redo a finished task with the user's instructions; the server sends everything after it back to pending. */
export function InterveneForm({ projectId, task, onDetail }: { projectId: string; task: TaskView; onDetail(d: ProjectDetail): void }) {
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState(false);
  const id = useId();

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSent(false);
    // The gateway's own schema: too short or too long is caught without a round trip.
    const parsed = InterveneRequest.safeParse({ feedback: text });
    if (!parsed.success) {
      setError(
        text.trim().length < 3
          ? "Write at least 3 characters: say what should change."
          : (parsed.error.issues[0]?.message ?? "Invalid instructions"),
      );
      return;
    }
    setBusy(true);
    try {
      onDetail(await api.interveneTask(projectId, task.id, parsed.data.feedback));
      setText("");
      setSent(true);
    } catch (err) {
      setError(err instanceof ApiError ? err.userMessage : "Could not reach the server.");
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="intervene" onSubmit={(e) => void onSubmit(e)} aria-labelledby={`${id}-h`} noValidate>
      <h3 id={`${id}-h`}>Intervene</h3>
      <label htmlFor={`${id}-text`}>Instructions for a redo</label>
      <textarea
        id={`${id}-text`}
        rows={3}
        maxLength={10_000}
        value={text}
        onChange={(e) => setText(e.target.value)}
        placeholder="Use PostgreSQL instead of SQLite, and keep the monthly cost under $50"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-err` : `${id}-help`}
      />
      <p id={`${id}-help`} className="muted">
        This task runs again with your instructions, and every task after it runs again too.
      </p>
      <div>
        <button type="submit" disabled={busy}>
          {busy ? "Sending…" : "Redo with these instructions"}
        </button>
      </div>
      {error && (
        <p id={`${id}-err`} className="error" role="alert">
          {error}
        </p>
      )}
      {sent && (
        <p className="muted" role="status">
          Sent: the task runs again.
        </p>
      )}
    </form>
  );
}
