import type { AgentEventMessage, ResultMessage, TaskMessage } from "@proximus/contracts";

/** Where the ProjectDO sends ready tasks. The bus implements it; so does the in-process executor. */
export interface TaskDispatcher {
  /** Resolves once the task is durably handed off (produced to the bus, or executed inline). */
  dispatch(msg: TaskMessage, sink: ResultSink): Promise<void>;
}

/** How an in-process executor reports back without a bus in between. */
export interface ResultSink {
  applyResult(result: ResultMessage): Promise<{ applied: boolean }>;
  applyAgentEvent(event: AgentEventMessage): Promise<void>;
}
