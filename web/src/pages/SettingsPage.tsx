import { useEffect, useState, type FormEvent } from "react";
import { api, type AgentPrefs, type KeyStatus } from "../api/endpoints";
import { ApiError } from "../api/http";
import { compactPrefs, LlmOverrides } from "../components/LlmOverrides";

const message = (err: unknown, fallback: string) => (err instanceof ApiError ? err.userMessage : fallback);

/** One provider's key: write-only. The server only ever says whether a key is configured. */
function KeyRow({ provider, onChanged }: { provider: KeyStatus; onChanged(): void }) {
  const [value, setValue] = useState("");
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const inputId = `key-${provider.name}`;

  const run = async (fn: () => Promise<void>, done: string) => {
    setBusy(true);
    setNote(null);
    try {
      await fn();
      setValue("");
      setNote({ ok: true, text: done });
      onChanged();
    } catch (err) {
      setNote({ ok: false, text: message(err, "Request failed") });
    } finally {
      setBusy(false);
    }
  };
  const onSave = (e: FormEvent) => {
    e.preventDefault();
    if (value.trim()) void run(() => api.putKey(provider.name, value.trim()), "Saved.");
  };

  return (
    <li className="key-row">
      <form className="inline-form" onSubmit={onSave}>
        <label htmlFor={inputId} className="key-name">
          {provider.name}
        </label>
        <span className={`badge ${provider.configured ? "state-succeeded" : "state-pending"}`}>
          {provider.configured ? "configured" : "not set"}
        </span>
        <input
          id={inputId}
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder={provider.configured ? "Replace key…" : "Paste API key…"}
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
        <button type="submit" disabled={busy || !value.trim()}>
          Save
        </button>
        {provider.configured && (
          <button type="button" className="danger" disabled={busy} onClick={() => void run(() => api.deleteKey(provider.name), "Removed.")}>
            Remove
          </button>
        )}
      </form>
      {note && (
        <p className={note.ok ? "ok" : "error"} role="status">
          {note.text}
        </p>
      )}
    </li>
  );
}

export function SettingsPage() {
  const [keys, setKeys] = useState<KeyStatus[] | null>(null);
  const [prefs, setPrefs] = useState<AgentPrefs | null>(null);
  const [keysError, setKeysError] = useState<string | null>(null);
  const [prefsError, setPrefsError] = useState<string | null>(null);
  const [prefsNote, setPrefsNote] = useState<{ ok: boolean; text: string } | null>(null);
  const [saving, setSaving] = useState(false);

  const loadKeys = () => {
    api.keys().then(
      (k) => {
        setKeys(k);
        setKeysError(null);
      },
      (err: unknown) => setKeysError(message(err, "Could not load keys")),
    );
  };
  useEffect(() => {
    loadKeys();
    api.prefs().then(setPrefs, (err: unknown) => setPrefsError(message(err, "Could not load preferences")));
  }, []);

  const savePrefs = async (e: FormEvent) => {
    e.preventDefault();
    if (!prefs) return;
    setSaving(true);
    setPrefsNote(null);
    try {
      await api.putPrefs(compactPrefs(prefs));
      setPrefsNote({ ok: true, text: "Preferences saved." });
    } catch (err) {
      setPrefsNote({ ok: false, text: message(err, "Could not save") });
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className="page settings-page">
      <h1>Settings</h1>
      <section className="panel" aria-labelledby="keys-h">
        <h2 id="keys-h">Provider API keys</h2>
        <p className="muted">
          Keys are stored encrypted and never shown again. Without a key, the offline provider runs (deterministic, no AI).
        </p>
        {keysError ? (
          <p className="error" role="alert">
            {keysError}
          </p>
        ) : keys === null ? (
          <p className="muted">Loading…</p>
        ) : (
          <ul className="plain keys">
            {keys.map((k) => (
              <KeyRow key={k.name} provider={k} onChanged={loadKeys} />
            ))}
          </ul>
        )}
      </section>
      <section className="panel" aria-labelledby="prefs-h">
        <h2 id="prefs-h">Agent preferences</h2>
        {prefsError ? (
          <p className="error" role="alert">
            {prefsError}
          </p>
        ) : prefs === null ? (
          <p className="muted">Loading…</p>
        ) : (
          <form onSubmit={(e) => void savePrefs(e)}>
            <LlmOverrides value={prefs} onChange={setPrefs} caption="Defaults for new projects; a project's own overrides win." />
            <button type="submit" disabled={saving}>
              Save preferences
            </button>
            {prefsNote && (
              <p className={prefsNote.ok ? "ok" : "error"} role="status">
                {prefsNote.text}
              </p>
            )}
          </form>
        )}
      </section>
    </div>
  );
}
