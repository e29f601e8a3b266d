import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import { AgentEventMessage, ResultMessage, TOPICS } from "@proximus/contracts";
import { ConsumerLoop, createBus, HEADER_TRACEPARENT, type BusRecord } from "@proximus/shared/bus";
import { projectStub } from "./project-stub";
import { gatewayTracer } from "./tracing";

export const RESULTS_GROUP = "proximus-results-router";

const Routed = z.object({ projectId: z.string().min(1).max(64) });

/** Delivers one ai-org-results / ai-org-events record to its project's DO. Exported for queue(). */
export async function routeRecord(env: Env, record: BusRecord): Promise<void> {
  const { projectId } = Routed.parse(record.value);
  const project = projectStub(env, projectId);
  if (record.topic !== TOPICS.results) {
    await project.applyAgentEvent(AgentEventMessage.parse(record.value));
    return;
  }
  // One consumer span per result (events are too many and too small to be worth one each).
  const tracer = gatewayTracer(env);
  const span = tracer.startSpan("apply result", {
    parent: record.headers[HEADER_TRACEPARENT] ?? null,
    kind: "consumer",
    attributes: {
      "messaging.destination.name": record.topic,
      "messaging.message.id": record.id,
      "proximus.project_id": projectId,
      "proximus.delivery_attempt": record.attempt,
    },
  });
  try {
    const result = ResultMessage.parse(record.value);
    span.setAttributes({ "proximus.task_id": result.taskId, "proximus.attempt": result.attempt, "proximus.status": result.status });
    const { applied } = await project.applyResult(result);
    span.setAttribute("proximus.applied", applied).ok();
  } catch (err) {
    span.fail(err instanceof Error ? err.message : String(err));
    throw err;
  } finally {
    span.end();
    // Bounded by the exporter's timeout and a no-op when no endpoint is configured; never throws.
    await tracer.flush();
  }
}

/**
 * The results router: one consumer-group member reading results and events and handing each to
 * the right ProjectDO. Offsets are committed after the DO accepted the record; the DO dedupes
 * results by (task, attempt), so redelivery after a crash is harmless.
 */
export class ResultsRouterDO extends DurableObject<Env> {
  private loop: ConsumerLoop | null = null;

  private consumerLoop(): ConsumerLoop {
    if (this.loop) return this.loop;
    const { bus, consumers } = createBus(this.env);
    if (!consumers) throw new Error("BUS_MODE=queues routes results in queue(), not in a consumer DO");
    this.loop = new ConsumerLoop({
      storage: this.ctx.storage,
      source: consumers,
      bus,
      config: { group: RESULTS_GROUP, topics: [TOPICS.results, TOPICS.events], autoOffsetReset: "earliest" },
      maxRecords: 200,
      pollTimeoutMs: 2_000,
      maxAttempts: 5,
      handler: (record) => routeRecord(this.env, record),
    });
    return this.loop;
  }

  async start(): Promise<void> {
    await this.consumerLoop().start();
  }

  override async alarm(): Promise<void> {
    await this.consumerLoop().tick();
  }
}
