import { offlineOutput } from "../offline/provider";
import { parseTaskPrompt, roleOfSchemaName } from "./task-prompt";
import type { Scenario } from "./types";

/**
 * The simulator's answer to a plain JSON-schema request (no tools; the role agents of today's
 * runtime): what the offline provider would produce for the task the prompt was built from. The
 * role comes from the schema name (`${role}_output`), the task from the user message. A request
 * that is neither gets a 400, as a real server refuses a request it cannot serve.
 */
export function offlineJsonScenario(schemaName: string): Scenario {
  return ({ messages }) => {
    const role = roleOfSchemaName(schemaName);
    if (!role) return { kind: "error", status: 400, message: `json_schema name "${schemaName}" names no role (expected <role>_output)` };
    const task = parseTaskPrompt(role, messages);
    if (!task) return { kind: "error", status: 400, message: 'no user message starting with "Business idea:" to answer from' };
    return { kind: "reply", text: JSON.stringify(offlineOutput(task)), toolCalls: [], finishReason: "stop" };
  };
}
