import { z } from "zod";
import { ProjectDetail, ProjectSummary, type CreateProjectRequest } from "@proximus/contracts/api";
import { ProjectEvent } from "@proximus/contracts/events";
import { LlmConfig } from "@proximus/contracts/llm";
import { Role } from "@proximus/contracts/roles";
import { apiFetch, errorFromResponse, requestJson, requestVoid } from "./http";

/** Typed calls to the gateway's REST API (shapes from contracts/api.ts). */

const ProjectList = z.object({ projects: z.array(ProjectSummary) });
export const EventsPage = z.object({ events: z.array(ProjectEvent), lastSeq: z.number().int().nonnegative() });
export type EventsPage = z.infer<typeof EventsPage>;

export const ArtifactEntry = z.object({
  path: z.string(),
  key: z.string(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string(),
  taskId: z.string().nullable().optional(),
});
export type ArtifactEntry = z.infer<typeof ArtifactEntry>;
const ArtifactList = z.object({ artifacts: z.array(ArtifactEntry) });

export const KeyStatus = z.object({ name: z.string(), configured: z.boolean() });
export type KeyStatus = z.infer<typeof KeyStatus>;
const KeyList = z.object({ providers: z.array(KeyStatus) });

export const AgentPrefs = z.partialRecord(Role, LlmConfig);
export type AgentPrefs = z.infer<typeof AgentPrefs>;
const PrefsBody = z.object({ prefs: AgentPrefs });

export const Me = z.object({
  mode: z.enum(["local", "saas"]),
  user: z.object({ id: z.string(), email: z.string().nullable().optional(), name: z.string().nullable().optional() }).nullable(),
});
export type Me = z.infer<typeof Me>;

const enc = encodeURIComponent;
const projectPath = (id: string) => `/api/projects/${enc(id)}`;
/** Artifact paths keep their slashes: the gateway routes `/artifacts/<path>` with a wildcard. */
export const artifactUrl = (id: string, path: string) => `${projectPath(id)}/artifacts/${path.split("/").map(enc).join("/")}`;
export const downloadUrl = (id: string) => `${projectPath(id)}/download`;
export const wsUrl = (id: string, since: number, origin: string, ticket?: string) =>
  `${origin.replace(/^http/, "ws")}${projectPath(id)}/ws?${ticket ? `ticket=${enc(ticket)}&` : ""}since=${since}`;

/** A single-use, 30 s ticket that lets one WebSocket upgrade stand in for the bearer token. */
export const WsTicket = z.object({ ticket: z.string().min(1), expiresAt: z.number().int() });

export const api = {
  me: () => requestJson("/api/me", Me),
  logout: () => requestVoid("/auth/logout", { method: "POST" }),
  listProjects: () => requestJson("/api/projects", ProjectList).then((r) => r.projects),
  createProject: (body: CreateProjectRequest) => requestJson("/api/projects", ProjectDetail, { method: "POST", body }),
  getProject: (id: string, signal?: AbortSignal) => requestJson(projectPath(id), ProjectDetail, signal ? { signal } : {}),
  cancelProject: (id: string) => requestVoid(projectPath(id), { method: "DELETE" }),
  raiseBudget: (id: string, budgetUsd: number) => requestVoid(`${projectPath(id)}/budget`, { method: "POST", body: { budgetUsd } }),
  retryTask: (id: string, taskId: string) => requestVoid(`${projectPath(id)}/tasks/${enc(taskId)}/retry`, { method: "POST" }),
  approveTask: (id: string, taskId: string) =>
    requestJson(`${projectPath(id)}/tasks/${enc(taskId)}/approve`, ProjectDetail, { method: "POST" }),
  interveneTask: (id: string, taskId: string, feedback: string) =>
    requestJson(`${projectPath(id)}/tasks/${enc(taskId)}/intervene`, ProjectDetail, { method: "POST", body: { feedback } }),
  events: (id: string, since: number, limit = 1000) => requestJson(`${projectPath(id)}/events?since=${since}&limit=${limit}`, EventsPage),
  wsTicket: (id: string) => requestJson(`${projectPath(id)}/ws-ticket`, WsTicket, { method: "POST" }),
  artifacts: (id: string) => requestJson(`${projectPath(id)}/artifacts`, ArtifactList).then((r) => r.artifacts),
  artifactText: async (id: string, path: string): Promise<string> => {
    const res = await apiFetch(artifactUrl(id, path));
    if (!res.ok) throw await errorFromResponse(res);
    return res.text();
  },
  keys: () => requestJson("/api/settings/keys", KeyList).then((r) => r.providers),
  putKey: (provider: string, apiKey: string) => requestVoid(`/api/settings/keys/${enc(provider)}`, { method: "PUT", body: { apiKey } }),
  deleteKey: (provider: string) => requestVoid(`/api/settings/keys/${enc(provider)}`, { method: "DELETE" }),
  prefs: () => requestJson("/api/settings/agent-prefs", PrefsBody).then((r) => r.prefs),
  putPrefs: (prefs: AgentPrefs) => requestVoid("/api/settings/agent-prefs", { method: "PUT", body: { prefs } }),
};
