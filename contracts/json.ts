import { z } from "zod";

/** Plain JSON: what crosses Workers RPC, the bus and the wire without loss. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export const Json: z.ZodType<Json> = z.json() as z.ZodType<Json>;
export type JsonObject = { [key: string]: Json };
