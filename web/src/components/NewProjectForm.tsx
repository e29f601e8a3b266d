import { useId, useState, type FormEvent } from "react";
import { CreateProjectRequest } from "@proximus/contracts/api";
import { ROLE_LABELS, ROLES, type Role } from "@proximus/contracts/roles";
import { api, type AgentPrefs } from "../api/endpoints";
import { ApiError } from "../api/http";
import { navigate } from "../router";
import { compactPrefs, LlmOverrides } from "./LlmOverrides";

/** Idea, optional budget and per-role model overrides → POST /api/projects → the project page. */
export function NewProjectForm() {
  const [idea, setIdea] = useState("");
  const [budget, setBudget] = useState("");
  const [llm, setLlm] = useState<AgentPrefs>({});
  const [approvals, setApprovals] = useState<ReadonlySet<Role>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const id = useId();

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setFieldErrors({});
    const overrides = compactPrefs(llm);
    const body = {
      idea,
      ...(budget.trim() ? { budgetUsd: Number(budget) } : {}),
      ...(Object.keys(overrides).length ? { llm: overrides } : {}),
      // ROLES order, so the request does not depend on the order the boxes were ticked in.
      ...(approvals.size ? { approvals: ROLES.filter((r) => approvals.has(r)) } : {}),
    };
    // Same schema as the gateway, so most mistakes are caught before the round trip.
    const parsed = CreateProjectRequest.safeParse(body);
    if (!parsed.success) {
      const fe: Record<string, string> = {};
      for (const i of parsed.error.issues) fe[String(i.path[0] ?? "idea")] ??= i.message;
      setFieldErrors(fe);
      setError("Please fix the highlighted fields.");
      return;
    }
    setBusy(true);
    try {
      const project = await api.createProject(parsed.data);
      navigate(`/projects/${encodeURIComponent(project.id)}`);
    } catch (err) {
      if (err instanceof ApiError) {
        setError(err.userMessage);
        setFieldErrors(Object.fromEntries(err.fields.map((f) => [f.field.split(".")[0] ?? f.field, f.message])));
      } else setError("Could not reach the server.");
      setBusy(false);
    }
  };

  const toggleApproval = (role: Role, on: boolean) =>
    setApprovals((prev) => {
      const next = new Set(prev);
      if (on) next.add(role);
      else next.delete(role);
      return next;
    });

  return (
    <form className="panel new-project" onSubmit={(e) => void onSubmit(e)} aria-labelledby={`${id}-h`} noValidate>
      <h2 id={`${id}-h`}>New project</h2>
      <div className="field">
        <label htmlFor={`${id}-idea`}>Business idea</label>
        <textarea
          id={`${id}-idea`}
          name="idea"
          rows={4}
          required
          value={idea}
          onChange={(e) => setIdea(e.target.value)}
          placeholder="A booking app for dog groomers with reminders and online payment"
          aria-invalid={fieldErrors.idea ? true : undefined}
          aria-describedby={fieldErrors.idea ? `${id}-idea-err` : undefined}
        />
        {fieldErrors.idea && (
          <p id={`${id}-idea-err`} className="error">
            {fieldErrors.idea}
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor={`${id}-budget`}>Budget (USD, optional)</label>
        <input
          id={`${id}-budget`}
          name="budget"
          type="number"
          min="0"
          step="0.01"
          inputMode="decimal"
          value={budget}
          onChange={(e) => setBudget(e.target.value)}
          aria-invalid={fieldErrors.budgetUsd ? true : undefined}
          aria-describedby={fieldErrors.budgetUsd ? `${id}-budget-err` : undefined}
        />
        {fieldErrors.budgetUsd && (
          <p id={`${id}-budget-err`} className="error">
            {fieldErrors.budgetUsd}
          </p>
        )}
      </div>
      <fieldset className="field approvals" aria-describedby={`${id}-approvals-help`}>
        <legend>Approve before continuing</legend>
        <p id={`${id}-approvals-help`} className="muted">
          The project waits for you after these roles finish, so you can review their output first.
        </p>
        <div className="checkbox-row">
          {ROLES.map((role) => (
            <label key={role} className="checkbox">
              <input
                type="checkbox"
                name="approvals"
                value={role}
                checked={approvals.has(role)}
                onChange={(e) => toggleApproval(role, e.target.checked)}
                aria-label={`Approve ${ROLE_LABELS[role]}'s output before continuing`}
              />
              {ROLE_LABELS[role]}
            </label>
          ))}
        </div>
        {fieldErrors.approvals && <p className="error">{fieldErrors.approvals}</p>}
      </fieldset>
      <details className="field">
        <summary>Per-role model overrides</summary>
        <LlmOverrides value={llm} onChange={setLlm} caption="Leave a role on automatic to let the router choose." />
        {fieldErrors.llm && <p className="error">{fieldErrors.llm}</p>}
      </details>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {busy ? "Starting…" : "Start project"}
      </button>
    </form>
  );
}
