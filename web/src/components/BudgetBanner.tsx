import { useId, useState, type FormEvent } from "react";
import { api } from "../api/endpoints";
import { ApiError } from "../api/http";
import { usd } from "../lib/format";

/**
 * Shown when the project paused at its budget: why (the ProjectDO's reason, which names the task
 * and the estimate that did not fit), then raise the budget to resume, or stop it.
 */
export function BudgetBanner(props: {
  projectId: string;
  spentUsd: number;
  budgetUsd: number | null;
  reason: string | null;
  onChanged(): void;
}) {
  const suggested = Math.max(1, Math.ceil(Math.max(props.spentUsd * 2, (props.budgetUsd ?? 0) * 2) * 100) / 100);
  const [value, setValue] = useState(String(suggested));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const inputId = useId();

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      props.onChanged();
    } catch (err) {
      setError(err instanceof ApiError ? err.userMessage : "Request failed");
    } finally {
      setBusy(false);
    }
  };

  const onRaise = (e: FormEvent) => {
    e.preventDefault();
    const n = Number(value);
    if (!Number.isFinite(n) || n <= props.spentUsd) {
      setError(`The new budget must be more than ${usd(props.spentUsd)}.`);
      return;
    }
    void run(() => api.raiseBudget(props.projectId, n));
  };

  return (
    <section className="banner banner-warn" role="alert" aria-label="Budget reached">
      <p>
        <strong>Paused</strong> at this project's budget of {props.budgetUsd !== null ? usd(props.budgetUsd) : "—"} (spent{" "}
        {usd(props.spentUsd)}): the next task would go over it. Raise the budget to resume, or stop the project.
      </p>
      {props.reason && (
        <p className="paused-reason" data-testid="paused-reason">
          Why it waits: <code>{props.reason}</code>
        </p>
      )}
      <form className="inline-form" onSubmit={onRaise}>
        <label htmlFor={inputId}>New budget (USD)</label>
        <input id={inputId} type="number" min={0} step="0.01" value={value} onChange={(e) => setValue(e.target.value)} required />
        <button type="submit" disabled={busy}>
          Raise budget &amp; resume
        </button>
        <button type="button" className="danger" disabled={busy} onClick={() => void run(() => api.cancelProject(props.projectId))}>
          Stop project
        </button>
      </form>
      {error && (
        <p className="error" role="status">
          {error}
        </p>
      )}
    </section>
  );
}
