/** Bindings declared in wrangler.jsonc. */
export type Env = {
  DB: D1Database;
  ASSETS: Fetcher;
};

export type AppEnv = { Bindings: Env };
