#!/usr/bin/env node
// The `proximus` command. It loads tsx first so the CLI can import the shared TypeScript contracts
// (events, their fold, the role registry) as they are: one definition for every client, no build step.
import { register } from "tsx/esm/api";

register();
const { run } = await import("./commands.mjs");
await run(process.argv.slice(2));
