import { Architecture, type Column, type Table } from "../roles/cto";
import { Prd } from "../roles/ceo";
import { entityNames, plural, snake } from "./entities";

/** Columns the generated Worker fills in itself. */
export const AUTO_COLUMNS = new Set(["created_at", "updated_at"]);

/** A data model the offline engineers can generate real CRUD code for. */
export interface DataModel {
  /** Parents before children, so migrations and test fixtures can be created in order. */
  tables: Table[];
}

/** The first upstream output that validates against `schema` (upstream is keyed by task id, not role). */
export function findUpstream<T>(
  upstream: Record<string, unknown>,
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
): T | null {
  // Later tasks (fix rounds) win over earlier ones.
  for (const value of Object.values(upstream).reverse()) {
    const r = schema.safeParse(value);
    if (r.success) return r.data;
  }
  return null;
}

function col(name: string, type: Column["type"], nullable: boolean, extra: Partial<Column> = {}): Column {
  return { name, type, nullable, primaryKey: false, ...extra };
}

/** Deterministic tables for entity names: each gets id/name/notes/created_at; the first entity links to the others. */
export function tablesForEntities(entities: string[]): Table[] {
  const [main, ...others] = entities.map((e) => ({ entity: e, table: plural(snake(e)) }));
  const base = (entity: string, name: string, refs: Column[]): Table => ({
    name,
    entity,
    columns: [
      col("id", "INTEGER", false, { primaryKey: true }),
      col("name", "TEXT", false),
      col("notes", "TEXT", true),
      ...refs,
      col("created_at", "INTEGER", false),
    ],
  });
  if (!main) return [];
  const refs = others.map((o) => col(`${snake(o.entity)}_id`, "INTEGER", true, { references: { table: o.table, column: "id" } }));
  return [...others.map((o) => base(o.entity, o.table, [])), base(main.entity, main.table, refs)];
}

/** Orders tables parents-first; null when the schema has shapes the generator does not handle (cycles, composite keys, required blobs). */
export function normalizeTables(tables: readonly Table[]): Table[] | null {
  const byName = new Map(tables.map((t) => [t.name, t]));
  for (const t of tables) {
    const pks = t.columns.filter((c) => c.primaryKey);
    if (pks.length !== 1 || pks[0]?.type !== "INTEGER") return null;
    if (t.columns.some((c) => c.type === "BLOB" && !c.nullable)) return null;
    if (
      t.columns.some(
        (c) =>
          c.references &&
          c.references.table !== t.name &&
          byName.get(c.references.table)?.columns.find((x) => x.name === c.references?.column)?.primaryKey !== true,
      )
    )
      return null;
    if (t.columns.some((c) => c.references?.table === t.name)) return null;
  }
  const ordered: Table[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (t: Table): boolean => {
    if (state.get(t.name) === "done") return true;
    if (state.get(t.name) === "visiting") return false;
    state.set(t.name, "visiting");
    for (const c of t.columns) {
      const parent = c.references ? byName.get(c.references.table) : undefined;
      if (parent && !visit(parent)) return false;
    }
    state.set(t.name, "done");
    ordered.push(t);
    return true;
  };
  for (const t of tables) if (!visit(t)) return null;
  return ordered;
}

/** CTO tables when upstream has usable ones, else the PRD's entities, else nouns from the idea. */
export function dataModel(idea: string, upstream: Record<string, unknown>): DataModel {
  const arch = findUpstream(upstream, Architecture);
  const fromCto = arch ? normalizeTables(arch.dbSchema.tables) : null;
  if (fromCto?.length) return { tables: fromCto };
  const prd = findUpstream(upstream, Prd);
  const names = prd ? prd.entities.map((e) => e.name).slice(0, 6) : entityNames(idea);
  return { tables: normalizeTables(tablesForEntities(names)) ?? [] };
}

/** What the generated Worker knows about each table: the runtime validation rules. */
export function resourceSpec(
  model: DataModel,
): Record<string, { table: string; pk: string; columns: Record<string, { type: string; required: boolean }>; auto: string[] }> {
  const spec: ReturnType<typeof resourceSpec> = {};
  for (const t of model.tables) {
    const pk = t.columns.find((c) => c.primaryKey)?.name ?? "id";
    const columns: Record<string, { type: string; required: boolean }> = {};
    const auto: string[] = [];
    for (const c of t.columns) {
      if (c.primaryKey || c.type === "BLOB") continue;
      if (AUTO_COLUMNS.has(c.name)) auto.push(c.name);
      else columns[c.name] = { type: c.type, required: !c.nullable };
    }
    spec[t.name] = { table: t.name, pk, columns, auto };
  }
  return spec;
}
