import { useEffect, useState, type FormEvent } from "react";

type Item = { id: number; name: string; done: boolean; createdAt: number };

async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(path, { ...init, headers: { "content-type": "application/json", ...init?.headers } });
  if (!res.ok) throw new Error(`${init?.method ?? "GET"} ${path}: ${res.status}`);
  return (res.status === 204 ? null : await res.json()) as T;
}

export function App() {
  const [items, setItems] = useState<Item[]>([]);
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);

  const reload = () =>
    api<{ items: Item[] }>("/api/items").then(
      (r) => setItems(r.items),
      (e: unknown) => setError(String(e)),
    );
  useEffect(() => void reload(), []);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return;
    await api("/api/items", { method: "POST", body: JSON.stringify({ name }) }).catch((err: unknown) => setError(String(err)));
    setName("");
    await reload();
  };
  const toggle = async (item: Item) => {
    await api(`/api/items/${item.id}`, { method: "PATCH", body: JSON.stringify({ done: !item.done }) });
    await reload();
  };
  const remove = async (item: Item) => {
    await api(`/api/items/${item.id}`, { method: "DELETE" });
    await reload();
  };

  return (
    <main>
      <h1>Items</h1>
      {error && <p role="alert">{error}</p>}
      <form onSubmit={(e) => void add(e)}>
        <input aria-label="New item" value={name} onChange={(e) => setName(e.target.value)} />
        <button type="submit">Add</button>
      </form>
      <ul>
        {items.map((item) => (
          <li key={item.id}>
            <label>
              <input type="checkbox" checked={item.done} onChange={() => void toggle(item)} /> {item.name}
            </label>
            <button onClick={() => void remove(item)}>Delete</button>
          </li>
        ))}
      </ul>
    </main>
  );
}
