import { parseJsonc } from "./jsonc";
import { parseToml } from "./toml";

const WORKER_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Parses a wrangler config with a real parser and checks what `wrangler deploy` needs. Returns error messages (empty = valid). */
export function validateWranglerConfig(content: string, format: "jsonc" | "toml"): string[] {
  let cfg: unknown;
  try {
    cfg = format === "jsonc" ? parseJsonc(content) : parseToml(content);
  } catch (e) {
    return [`wrangler.${format}: ${e instanceof Error ? e.message : String(e)}`];
  }
  if (!isRecord(cfg)) return [`wrangler.${format}: top level must be an object`];
  const errors: string[] = [];
  const where = `wrangler.${format}`;
  if (typeof cfg.name !== "string" || !WORKER_NAME.test(cfg.name)) errors.push(`${where}: "name" must be a lowercase worker name`);
  if (typeof cfg.main !== "string" || cfg.main.length === 0) errors.push(`${where}: "main" (entry module path) is required`);
  const date = cfg.compatibility_date;
  if (typeof date !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))) {
    errors.push(`${where}: "compatibility_date" must be a YYYY-MM-DD date`);
  }
  if (cfg.d1_databases !== undefined) {
    if (!Array.isArray(cfg.d1_databases)) errors.push(`${where}: "d1_databases" must be an array`);
    else
      cfg.d1_databases.forEach((db: unknown, i) => {
        if (!isRecord(db) || typeof db.binding !== "string" || typeof db.database_name !== "string") {
          errors.push(`${where}: d1_databases[${i}] needs "binding" and "database_name"`);
        }
      });
  }
  if (
    cfg.compatibility_flags !== undefined &&
    !(Array.isArray(cfg.compatibility_flags) && cfg.compatibility_flags.every((f) => typeof f === "string"))
  ) {
    errors.push(`${where}: "compatibility_flags" must be an array of strings`);
  }
  return errors;
}
