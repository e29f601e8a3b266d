import { TOPICS, type AgentEventMessage, type ResultMessage, type TaskMessage } from "@proximus/contracts";
import { HEADER_IDEMPOTENCY_KEY, HEADER_TRACEPARENT, type BusRecordInput, type TaskBus } from "@proximus/shared/bus";

/** Token deltas are many and small; they are sent in batches at most this often. */
const FLUSH_MS = 250;
/** AgentEventMessage.text's cap (the bus contract). */
const MAX_TEXT = 20_000;

/**
 * Turns an agent's emits into ai-org-events records and its result into an ai-org-results
 * record, all keyed by project id so one project's messages stay in order on one partition.
 */
export class BusSink {
  private buffer: AgentEventMessage[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly bus: TaskBus,
    private readonly task: TaskMessage,
  ) {}

  private headers(): Record<string, string> {
    return {
      [HEADER_IDEMPOTENCY_KEY]: this.task.idempotencyKey,
      ...(this.task.traceparent ? { [HEADER_TRACEPARENT]: this.task.traceparent } : {}),
    };
  }

  emit = (kind: AgentEventMessage["kind"], text: string): void => {
    const t = this.task;
    const last = this.buffer.at(-1);
    if (kind === "token" && last?.kind === "token" && last.text.length + text.length <= MAX_TEXT) {
      // A streaming model sends a delta per token or two: one event per delta would be thousands of
      // records per task, every one routed and logged by the ProjectDO, and the results of every
      // project queue behind them. Consecutive deltas of one flush window travel as one event.
      last.text += text;
    } else {
      this.buffer.push({
        v: 1,
        projectId: t.projectId,
        taskId: t.taskId,
        attempt: t.attempt,
        kind,
        text: text.slice(0, MAX_TEXT),
        ts: Date.now(),
      });
    }
    this.timer ??= setTimeout(() => {
      this.timer = null;
      // Progress events are best effort: a failed batch is logged and dropped, never allowed to
      // fail (and so re-run, and re-bill) the task it describes.
      this.flushing = this.flushing
        .then(() => this.flush())
        .catch((err: unknown) => {
          console.warn("dropped a batch of agent events", {
            taskId: this.task.taskId,
            error: err instanceof Error ? err.message : String(err),
          });
        });
    }, FLUSH_MS);
  };

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    const records: BusRecordInput[] = batch.map((e) => ({ key: e.projectId, value: e, headers: this.headers() }));
    await this.bus.produce(TOPICS.events, records);
  }

  /** Events first, then the result: the dashboard shows the log before the state change. */
  async finish(result: ResultMessage): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flushing;
    await this.flush().catch((err: unknown) => {
      console.warn("dropped the last agent events", { taskId: this.task.taskId, error: err instanceof Error ? err.message : String(err) });
    });
    await this.bus.produce(TOPICS.results, [{ key: result.projectId, value: result, headers: this.headers() }]);
  }
}
