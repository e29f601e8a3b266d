import { exports } from "cloudflare:workers";
import type { ConsumerLoopOptions, TickResult } from "@proximus/shared/bus/consumer-loop";
import type { BusRecord } from "@proximus/shared/bus/types";

/** Shared between test files and test/worker.ts: they run in one isolate under vitest-pool-workers. */
export const harness: {
  loops: Map<string, (storage: DurableObjectStorage) => ConsumerLoopOptions>;
  queueHandler: ((record: BusRecord) => Promise<void>) | undefined;
  queueDlq: unknown[];
  ticks: (TickResult & { name: string })[];
} = { loops: new Map(), queueHandler: undefined, queueDlq: [], ticks: [] };

/**
 * The test worker's default export (the dev broker) as a fetch function. `exports` is typed
 * per project by `wrangler types`; this Worker keeps its Env hand-written, hence the narrowing.
 */
export function brokerFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  return (exports as unknown as { default: Fetcher }).default.fetch(new Request(input, init));
}
