import type { Table } from "../roles/cto";
import { HEADER } from "./label";
import { resourceSpec, type DataModel } from "./model";

/** The generated project's test side: a D1 adapter over node:sqlite and end-to-end tests of the Worker. */
export const D1_ADAPTER = `${HEADER}
// A D1-compatible adapter over Node's built-in SQLite, so tests run the Worker's real SQL without Cloudflare.
import { DatabaseSync } from "node:sqlite";

export function createD1(...migrations) {
  const db = new DatabaseSync(":memory:");
  db.exec("PRAGMA foreign_keys = ON;");
  for (const sql of migrations) db.exec(sql);
  const bindable = (v) => {
    if (v === undefined) throw new TypeError("D1_TYPE_ERROR: Type 'undefined' not supported for value 'undefined'");
    return typeof v === "boolean" ? (v ? 1 : 0) : v;
  };
  const plain = (row) => (row === undefined ? null : { ...row });
  function statement(sql, params) {
    return {
      bind: (...values) => statement(sql, values.map(bindable)),
      async all() {
        return { success: true, results: db.prepare(sql).all(...params).map(plain), meta: {} };
      },
      async first(column) {
        const row = plain(db.prepare(sql).get(...params));
        if (row === null || column === undefined) return row;
        if (!(column in row)) throw new Error("D1_COLUMN_NOTFOUND: Column not found (" + column + ")");
        return row[column];
      },
      async run() {
        const r = db.prepare(sql).run(...params);
        return { success: true, results: [], meta: { changes: Number(r.changes), last_row_id: Number(r.lastInsertRowid) } };
      },
    };
  }
  return {
    prepare: (sql) => statement(sql, []),
    async batch(statements) {
      db.exec("BEGIN");
      try {
        const out = [];
        for (const s of statements) out.push(await s.all());
        db.exec("COMMIT");
        return out;
      } catch (e) {
        db.exec("ROLLBACK");
        throw e;
      }
    },
    async exec(sql) {
      db.exec(sql);
      return { count: 1, duration: 0 };
    },
    tables() {
      return db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all().map((r) => r.name);
    },
  };
}
`;

function sampleValue(table: Table, name: string): unknown {
  const c = table.columns.find((x) => x.name === name);
  if (!c) return null;
  if (c.type === "TEXT") return `Sample ${name.replace(/_/g, " ")}`;
  if (c.type === "INTEGER") return 42;
  return 4.5;
}

export function backendTestSource(model: DataModel): string {
  const spec = resourceSpec(model);
  const samples: Record<string, Record<string, unknown>> = {};
  const refs: Record<string, { column: string; table: string }[]> = {};
  const updates: Record<string, Record<string, unknown> | null> = {};
  for (const t of model.tables) {
    const r = spec[t.name]!;
    samples[t.name] = {};
    refs[t.name] = [];
    for (const name of Object.keys(r.columns)) {
      const ref = t.columns.find((c) => c.name === name)?.references;
      if (ref) refs[t.name]!.push({ column: name, table: ref.table });
      else samples[t.name]![name] = sampleValue(t, name);
    }
    const editable =
      Object.keys(r.columns).find((n) => r.columns[n]?.type === "TEXT") ??
      Object.keys(r.columns).find((n) => !refs[t.name]!.some((x) => x.column === n));
    updates[t.name] = editable ? { [editable]: r.columns[editable]?.type === "TEXT" ? "Updated value" : 7 } : null;
  }
  return `${HEADER}
// End-to-end tests: real requests through the Worker's fetch handler, real SQL on SQLite via the D1 adapter.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import worker from "../src/index.js";
import { createD1 } from "../testing/d1-sqlite.mjs";

const MIGRATION = readFileSync(new URL("../migrations/0001_init.sql", import.meta.url), "utf8");
const TABLES = ${JSON.stringify(model.tables.map((t) => t.name))};
const PK = ${JSON.stringify(Object.fromEntries(Object.entries(spec).map(([k, v]) => [k, v.pk])))};
const SAMPLES = ${JSON.stringify(samples, null, 2)};
const REFS = ${JSON.stringify(refs, null, 2)};
const UPDATES = ${JSON.stringify(updates, null, 2)};
const REQUIRED = ${JSON.stringify(Object.fromEntries(Object.entries(spec).map(([k, v]) => [k, Object.keys(v.columns).filter((n) => v.columns[n]?.required)])))};

function setup() {
  return { DB: createD1(MIGRATION) };
}

async function call(env, method, path, body) {
  const init = { method: method, headers: { "content-type": "application/json" } };
  if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
  return worker.fetch(new Request("http://app.test" + path, init), env);
}

// Creates a row (and, first, the rows it references) through the API.
async function createRow(env, table) {
  const body = { ...SAMPLES[table] };
  for (const ref of REFS[table]) body[ref.column] = (await createRow(env, ref.table))[PK[ref.table]];
  const res = await call(env, "POST", "/api/" + table, body);
  assert.equal(res.status, 201, "create " + table + ": " + (await res.clone().text()));
  const row = await res.json();
  for (const [k, v] of Object.entries(body)) assert.deepEqual(row[k], v, table + "." + k + " round-trips");
  return row;
}

test("the migration creates every table", () => {
  const env = setup();
  assert.deepEqual(env.DB.tables(), [...TABLES].sort());
});

test("health and unknown routes", async () => {
  const env = setup();
  assert.equal((await call(env, "GET", "/health")).status, 200);
  const res = await call(env, "GET", "/api/no_such_thing");
  assert.equal(res.status, 404);
  assert.equal((await res.json()).error.code, "not_found");
});

for (const table of TABLES) {
  test(table + ": create, read, list, update, delete", async () => {
    const env = setup();
    const row = await createRow(env, table);
    const id = row[PK[table]];
    assert.ok(Number.isInteger(id) && id > 0, "the database assigns an integer id");

    const got = await call(env, "GET", "/api/" + table + "/" + id);
    assert.equal(got.status, 200);
    assert.deepEqual(await got.json(), row);

    const listed = await call(env, "GET", "/api/" + table);
    assert.equal(listed.status, 200);
    assert.ok((await listed.json()).items.some((r) => r[PK[table]] === id), "list contains the new row");

    if (UPDATES[table]) {
      const upd = await call(env, "PUT", "/api/" + table + "/" + id, UPDATES[table]);
      assert.equal(upd.status, 200, await upd.clone().text());
      const again = await (await call(env, "GET", "/api/" + table + "/" + id)).json();
      for (const [k, v] of Object.entries(UPDATES[table])) assert.deepEqual(again[k], v, "update persisted");
    }

    assert.equal((await call(env, "DELETE", "/api/" + table + "/" + id)).status, 204);
    assert.equal((await call(env, "GET", "/api/" + table + "/" + id)).status, 404);
    assert.equal((await call(env, "DELETE", "/api/" + table + "/" + id)).status, 404);
  });

  test(table + ": rejects invalid input", async () => {
    const env = setup();
    const bad = await call(env, "POST", "/api/" + table, { ...SAMPLES[table], no_such_field: 1 });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.code, "validation_failed");
    assert.equal((await call(env, "POST", "/api/" + table, "{not json")).status, 400);
    if (REQUIRED[table].length) {
      const missing = await call(env, "POST", "/api/" + table, {});
      assert.equal(missing.status, 400);
      const fields = (await missing.json()).error.details.map((d) => d.field);
      for (const f of REQUIRED[table]) assert.ok(fields.includes(f), f + " is reported missing");
    }
    assert.equal((await call(env, "GET", "/api/" + table + "/abc")).status, 400);
    assert.equal((await call(env, "GET", "/api/" + table + "/999999")).status, 404);
  });

  if (REFS[table].length) {
    test(table + ": foreign keys are enforced", async () => {
      const env = setup();
      const body = { ...SAMPLES[table] };
      for (const ref of REFS[table]) body[ref.column] = 999999;
      const res = await call(env, "POST", "/api/" + table, body);
      assert.equal(res.status, 409, await res.clone().text());
      assert.equal((await res.json()).error.code, "conflict");
    });
  }
}
`;
}
