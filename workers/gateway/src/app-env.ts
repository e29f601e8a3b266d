import type { Db } from "./db/client";

export interface AuthUser {
  id: string;
  email: string;
  name: string;
}

export interface AppEnv {
  Bindings: Env;
  Variables: { user: AuthUser; db: Db };
}
