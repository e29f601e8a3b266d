import type { ProjectFile } from "../roles/types";
import { HEADER, OFFLINE_LABEL } from "./label";
import { resourceSpec, type DataModel } from "./model";

const API_CLIENT = `${HEADER}
// A small client for the Worker's JSON API. fetchImpl is injectable so it can be tested without a server.
export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export function createApi(fetchImpl = (...args) => fetch(...args), base = "") {
  async function request(method, path, body) {
    const init = { method: method, headers: { accept: "application/json" } };
    if (body !== undefined) {
      init.headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const res = await fetchImpl(base + path, init);
    if (res.status === 204) return null;
    const data = await res.json().catch(() => null);
    if (!res.ok) {
      const err = data && data.error ? data.error : { code: "http_" + res.status, message: res.statusText || "request failed" };
      throw new ApiError(res.status, err.code, err.message, err.details);
    }
    return data;
  }
  const id = (v) => encodeURIComponent(String(v));
  return {
    list: (resource) => request("GET", "/api/" + resource).then((d) => d.items),
    get: (resource, key) => request("GET", "/api/" + resource + "/" + id(key)),
    create: (resource, body) => request("POST", "/api/" + resource, body),
    update: (resource, key, body) => request("PUT", "/api/" + resource + "/" + id(key), body),
    remove: (resource, key) => request("DELETE", "/api/" + resource + "/" + id(key)),
  };
}
`;

function appSource(): string {
  return `${HEADER}
import { RESOURCES } from "./resources.js";
import { createApi } from "./api.js";

const api = createApi();
const nav = document.querySelector("#resources");
const title = document.querySelector("#title");
const table = document.querySelector("#rows");
const form = document.querySelector("#editor");
const status = document.querySelector("#status");
let current = Object.keys(RESOURCES)[0];
let editing = null;

function show(message, isError) {
  status.textContent = message;
  status.className = isError ? "error" : "";
}

function input(name, column, value) {
  const label = document.createElement("label");
  label.textContent = name + (column.required ? " *" : "");
  const field = document.createElement("input");
  field.name = name;
  field.type = column.type === "TEXT" ? "text" : "number";
  if (column.type === "REAL") field.step = "any";
  field.required = column.required;
  if (value !== undefined && value !== null) field.value = String(value);
  label.append(field);
  return label;
}

function readForm() {
  const body = {};
  for (const [name, column] of Object.entries(RESOURCES[current].columns)) {
    const raw = form.elements[name].value;
    if (raw === "") {
      if (!column.required) body[name] = null;
      continue;
    }
    body[name] = column.type === "TEXT" ? raw : Number(raw);
  }
  return body;
}

function renderForm(row) {
  editing = row;
  form.replaceChildren(...Object.entries(RESOURCES[current].columns).map(([n, c]) => input(n, c, row ? row[n] : undefined)));
  const save = document.createElement("button");
  save.type = "submit";
  save.textContent = row ? "Save" : "Create";
  form.append(save);
}

async function load() {
  title.textContent = current;
  renderForm(null);
  try {
    const rows = await api.list(current);
    const cols = [RESOURCES[current].pk, ...Object.keys(RESOURCES[current].columns)];
    table.replaceChildren();
    const head = table.insertRow();
    for (const c of [...cols, ""]) head.insertCell().textContent = c;
    for (const row of rows) {
      const tr = table.insertRow();
      for (const c of cols) tr.insertCell().textContent = row[c] === null ? "" : String(row[c]);
      const actions = tr.insertCell();
      const edit = document.createElement("button");
      edit.textContent = "Edit";
      edit.onclick = () => renderForm(row);
      const del = document.createElement("button");
      del.textContent = "Delete";
      del.onclick = () => {
        api.remove(current, row[RESOURCES[current].pk]).then(load, (e) => show(e.message, true));
      };
      actions.append(edit, del);
    }
    show(rows.length + " " + current, false);
  } catch (e) {
    show(e.message, true);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const body = readForm();
  const pk = RESOURCES[current].pk;
  const done = editing ? api.update(current, editing[pk], body) : api.create(current, body);
  done.then(load, (e) => show(e.message + (e.details ? ": " + e.details.map((d) => d.field + " " + d.message).join(", ") : ""), true));
});

for (const name of Object.keys(RESOURCES)) {
  const b = document.createElement("button");
  b.textContent = name;
  b.onclick = () => {
    current = name;
    load();
  };
  nav.append(b);
}
load();
`;
}

function testSource(spec: ReturnType<typeof resourceSpec>): string {
  return `${HEADER}
// Unit tests of the UI's API client against a recording fake fetch (no server needed).
import { test } from "node:test";
import assert from "node:assert/strict";
import { ApiError, createApi } from "../public/api.js";
import { RESOURCES } from "../public/resources.js";

function fakeFetch(responses) {
  const calls = [];
  const impl = async (url, init) => {
    calls.push({ url: url, method: init.method, body: init.body === undefined ? undefined : JSON.parse(init.body) });
    const next = responses.shift();
    return new Response(next.body === undefined ? null : JSON.stringify(next.body), { status: next.status, headers: { "content-type": "application/json" } });
  };
  return { impl: impl, calls: calls };
}

test("every backend table has a UI resource", () => {
  assert.deepEqual(Object.keys(RESOURCES).sort(), ${JSON.stringify(Object.keys(spec).sort())});
});

for (const name of Object.keys(RESOURCES)) {
  test(name + ": the client sends the right requests", async () => {
    const f = fakeFetch([
      { status: 200, body: { items: [{ id: 1 }] } },
      { status: 201, body: { id: 2 } },
      { status: 200, body: { id: 2 } },
      { status: 204 },
    ]);
    const api = createApi(f.impl, "https://app.test");
    assert.deepEqual(await api.list(name), [{ id: 1 }]);
    assert.deepEqual(await api.create(name, { a: 1 }), { id: 2 });
    assert.deepEqual(await api.update(name, 2, { a: 3 }), { id: 2 });
    assert.equal(await api.remove(name, 2), null);
    assert.deepEqual(f.calls.map((c) => c.method + " " + c.url), [
      "GET https://app.test/api/" + name,
      "POST https://app.test/api/" + name,
      "PUT https://app.test/api/" + name + "/2",
      "DELETE https://app.test/api/" + name + "/2",
    ]);
    assert.deepEqual(f.calls[1].body, { a: 1 });
  });
}

test("API errors surface the server's envelope", async () => {
  const f = fakeFetch([{ status: 400, body: { error: { code: "validation_failed", message: "invalid", details: [{ field: "name", message: "required" }] } } }]);
  const api = createApi(f.impl);
  await assert.rejects(api.create(Object.keys(RESOURCES)[0], {}), (e) => e instanceof ApiError && e.status === 400 && e.code === "validation_failed" && e.details[0].field === "name");
});
`;
}

export function frontendFiles(model: DataModel, slug: string): ProjectFile[] {
  const spec = resourceSpec(model);
  const ui = Object.fromEntries(Object.entries(spec).map(([k, v]) => [k, { pk: v.pk, columns: v.columns }]));
  return [
    {
      path: "public/index.html",
      content: `<!doctype html>
<!-- Generated by the Proximus ${OFFLINE_LABEL}. -->
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${slug}</title>
    <link rel="stylesheet" href="/styles.css" />
  </head>
  <body>
    <header><h1>${slug}</h1><nav id="resources"></nav></header>
    <main>
      <h2 id="title"></h2>
      <p id="status" role="status"></p>
      <table id="rows"></table>
      <form id="editor"></form>
    </main>
    <script type="module" src="/app.js"></script>
  </body>
</html>
`,
    },
    { path: "public/resources.js", content: `${HEADER}\nexport const RESOURCES = ${JSON.stringify(ui, null, 2)};\n` },
    { path: "public/api.js", content: API_CLIENT },
    { path: "public/app.js", content: appSource() },
    {
      path: "public/styles.css",
      content: `/* Generated by the Proximus ${OFFLINE_LABEL}. */\nbody { font-family: system-ui, sans-serif; margin: 2rem; }\nnav button { margin-right: .5rem; }\ntable { border-collapse: collapse; margin: 1rem 0; }\ntd { border: 1px solid #ccc; padding: .25rem .5rem; }\nform label { display: block; margin: .25rem 0; }\n.error { color: #b00020; }\n`,
    },
    { path: "test/frontend.test.mjs", content: testSource(spec) },
  ];
}
