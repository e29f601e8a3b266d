import { useId } from "react";
import type { LlmConfig } from "@proximus/contracts/llm";
import { PROVIDERS } from "@proximus/contracts/llm";
import { ROLE_LABELS, ROLES, type Role } from "@proximus/contracts/roles";
import type { AgentPrefs } from "../api/endpoints";

const STRATEGIES = ["balanced", "performance", "cost-saver"] as const;

/** Drops empty fields and roles so "automatic" is sent as absence, which the router reads as "you choose". */
export function compactPrefs(prefs: AgentPrefs): AgentPrefs {
  const out: AgentPrefs = {};
  for (const role of ROLES) {
    const c = prefs[role];
    if (!c) continue;
    const clean: LlmConfig = {};
    if (c.provider) clean.provider = c.provider;
    if (c.model?.trim()) clean.model = c.model.trim();
    if (c.strategy) clean.strategy = c.strategy;
    if (c.temperature !== undefined) clean.temperature = c.temperature;
    if (c.maxTokens !== undefined) clean.maxTokens = c.maxTokens;
    if (Object.keys(clean).length > 0) out[role] = clean;
  }
  return out;
}

/** A table of per-role model choices; used by the new-project form and the agent preferences. */
export function LlmOverrides({ value, onChange, caption }: { value: AgentPrefs; onChange(next: AgentPrefs): void; caption: string }) {
  const id = useId();
  const set = (role: Role, patch: Partial<LlmConfig>) => {
    const merged: LlmConfig = { ...value[role] };
    for (const [k, v] of Object.entries(patch) as [keyof LlmConfig, LlmConfig[keyof LlmConfig]][]) {
      if (v === undefined || v === "") delete merged[k];
      else Object.assign(merged, { [k]: v });
    }
    onChange({ ...value, [role]: merged });
  };
  return (
    <div className="table-wrap">
      <table className="overrides">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Role</th>
            <th scope="col">Provider</th>
            <th scope="col">Model</th>
            <th scope="col">Strategy</th>
          </tr>
        </thead>
        <tbody>
          {ROLES.map((role) => {
            const c = value[role] ?? {};
            const rid = `${id}-${role}`;
            return (
              <tr key={role}>
                <th scope="row">{ROLE_LABELS[role]}</th>
                <td>
                  <label className="sr-only" htmlFor={`${rid}-p`}>{`${ROLE_LABELS[role]} provider`}</label>
                  <select
                    id={`${rid}-p`}
                    value={c.provider ?? ""}
                    onChange={(e) =>
                      set(role, {
                        provider: (PROVIDERS as readonly string[]).includes(e.target.value)
                          ? (e.target.value as LlmConfig["provider"])
                          : undefined,
                      })
                    }
                  >
                    <option value="">automatic</option>
                    {PROVIDERS.map((p) => (
                      <option key={p} value={p}>
                        {p}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <label className="sr-only" htmlFor={`${rid}-m`}>{`${ROLE_LABELS[role]} model`}</label>
                  <input
                    id={`${rid}-m`}
                    type="text"
                    placeholder="default"
                    value={c.model ?? ""}
                    maxLength={200}
                    onChange={(e) => set(role, { model: e.target.value })}
                  />
                </td>
                <td>
                  <label className="sr-only" htmlFor={`${rid}-s`}>{`${ROLE_LABELS[role]} strategy`}</label>
                  <select
                    id={`${rid}-s`}
                    value={c.strategy ?? ""}
                    onChange={(e) => {
                      const s = STRATEGIES.find((x) => x === e.target.value);
                      set(role, { strategy: s });
                    }}
                  >
                    <option value="">default</option>
                    {STRATEGIES.map((s) => (
                      <option key={s} value={s}>
                        {s}
                      </option>
                    ))}
                  </select>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
