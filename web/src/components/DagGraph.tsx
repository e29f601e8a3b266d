import { useEffect, useMemo, useSyncExternalStore } from "react";
import {
  Background,
  Controls,
  Handle,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Edge,
  type Node,
  type NodeProps,
} from "@xyflow/react";
import type { TaskView } from "@proximus/contracts/api";
import { ROLE_LABELS } from "@proximus/contracts/roles";
import { layoutDag, NODE_HEIGHT, NODE_WIDTH } from "../lib/layout";
import { taskPhase } from "../lib/taskPhase";

type TaskNodeData = { task: TaskView; vertical: boolean; onOpen(id: string): void };
type TaskNode = Node<TaskNodeData, "task">;

const APPROVAL_TEXT = { none: "", required: "", pending: ", awaiting your approval", approved: ", approved" } as const;

function TaskNodeView({ data }: NodeProps<TaskNode>) {
  const t = data.task;
  const waiting = t.approval === "pending";
  const gated = t.approval === "required" || t.approval === "approved";
  // "queued" (a concurrency limit) or "waiting" (the sandbox host) says why a task is not working yet.
  const phase = taskPhase(t);
  return (
    <>
      <Handle type="target" position={data.vertical ? Position.Top : Position.Left} isConnectable={false} />
      <button
        type="button"
        className={`dag-node nodrag nopan state-${t.state} phase-${phase.kind} approval-${t.approval}`}
        data-task-id={t.id}
        data-state={t.state}
        data-phase={phase.kind}
        data-approval={t.approval}
        title={phase.reason ? `${phase.label}: ${phase.reason}` : undefined}
        style={{ width: NODE_WIDTH, height: NODE_HEIGHT }}
        onClick={() => data.onOpen(t.id)}
        aria-label={`${ROLE_LABELS[t.role]}: ${t.title}, ${phase.reason ? `${phase.label} (${phase.reason})` : t.state}${
          t.attempt > 1 ? `, attempt ${t.attempt}` : ""
        }${APPROVAL_TEXT[t.approval]}. Open details`}
      >
        <span className="dag-node-role">
          {ROLE_LABELS[t.role]}
          {gated && (
            <span className="dag-node-gate" title={t.approval === "approved" ? "Approved by you" : "Waits for your approval when done"}>
              {t.approval === "approved" ? "✓ approved" : "gate"}
            </span>
          )}
        </span>
        <span className="dag-node-title">{t.title}</span>
        <span className="dag-node-state">
          {waiting ? (
            <strong className="dag-node-waiting">awaiting approval</strong>
          ) : phase.reason ? (
            <strong className="dag-node-queued">{phase.label}</strong>
          ) : (
            t.state
          )}
          {t.attempt > 1 ? ` · try ${t.attempt}` : ""}
          {phase.reason && <span className="dag-node-reason"> · {phase.reason}</span>}
        </span>
      </button>
      <Handle type="source" position={data.vertical ? Position.Bottom : Position.Right} isConnectable={false} />
    </>
  );
}

const nodeTypes = { task: TaskNodeView };

/** Re-fits the viewport when tasks are added or the direction flips. Node sizes are fixed, so no measuring is needed first. */
function FitOnChange({ shape }: { shape: string }) {
  const flow = useReactFlow();
  useEffect(() => {
    const raf = requestAnimationFrame(() => void flow.fitView({ padding: 0.12, duration: 0 }));
    return () => cancelAnimationFrame(raf);
  }, [shape, flow]);
  return null;
}

const NARROW = "(max-width: 700px)";
function useNarrow(): boolean {
  return useSyncExternalStore(
    (cb) => {
      const mq = window.matchMedia(NARROW);
      mq.addEventListener("change", cb);
      return () => mq.removeEventListener("change", cb);
    },
    () => window.matchMedia(NARROW).matches,
  );
}

function Graph({ tasks, onOpen }: { tasks: readonly TaskView[]; onOpen(id: string): void }) {
  // Phones get a top-to-bottom DAG; a long left-to-right one would shrink to unreadable.
  const direction = useNarrow() ? "TB" : "LR";
  // Layout depends only on the DAG's shape and direction, not on state changes.
  const shape = `${direction}|${tasks.map((t) => `${t.id}<${t.deps.join(",")}`).join(";")}`;
  const positions = useMemo(() => new Map(layoutDag(tasks, direction).map((p) => [p.id, p])), [shape]);
  const vertical = direction === "TB";
  const byId = useMemo(() => new Map(tasks.map((t) => [t.id, t])), [tasks]);

  // Explicit width/height: React Flow then never hides a node while waiting to measure it again
  // after the node objects are replaced (they are, on every task state change).
  const nodes: TaskNode[] = useMemo(
    () =>
      tasks.map((t) => ({
        id: t.id,
        type: "task",
        position: { x: positions.get(t.id)?.x ?? 0, y: positions.get(t.id)?.y ?? 0 },
        width: NODE_WIDTH,
        height: NODE_HEIGHT,
        data: { task: t, vertical, onOpen },
        draggable: false,
        connectable: false,
        selectable: false,
      })),
    [tasks, positions, vertical, onOpen],
  );
  const edges: Edge[] = tasks.flatMap((t) =>
    t.deps
      .filter((d) => byId.has(d))
      .map((d) => ({
        id: `${d}->${t.id}`,
        source: d,
        target: t.id,
        animated: t.state === "running" || t.state === "ready",
        className: `edge-${byId.get(d)?.state ?? "pending"}`,
      })),
  );

  return (
    <ReactFlow
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      fitView
      minZoom={0.2}
      maxZoom={1.5}
      nodesDraggable={false}
      nodesConnectable={false}
      nodesFocusable={false}
      edgesFocusable={false}
      elementsSelectable={false}
      // A click handler also gives non-draggable, non-selectable nodes their pointer events back.
      onNodeClick={(_, node) => onOpen(node.id)}
      proOptions={{ hideAttribution: true }}
      aria-label="Task graph"
    >
      <FitOnChange shape={shape} />
      <Background gap={18} size={1} />
      <Controls showInteractive={false} />
    </ReactFlow>
  );
}

export function DagGraph(props: { tasks: readonly TaskView[]; onOpen(id: string): void }) {
  return (
    <div className="dag" data-testid="dag">
      {props.tasks.length === 0 ? (
        <p className="muted center">Waiting for the DAG…</p>
      ) : (
        <ReactFlowProvider>
          <Graph {...props} />
        </ReactFlowProvider>
      )}
    </div>
  );
}
