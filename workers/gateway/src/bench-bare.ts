import { Hono } from "hono";

/**
 * A Hono route with no middleware, D1 or DO behind it: the baseline `bench/gateway` compares the
 * real API against, on the same workerd. Mounted only when BENCH_BARE_ROUTE is "1".
 */
export const benchBare = new Hono().get("/__bench/bare", (c) => c.text("ok"));
