import type { TaskView } from "@proximus/contracts/api";
import { tokens, usd } from "../lib/format";
import { usageBreakdown, type UsageBar } from "../lib/usage";

const ROW = 26;
const LABEL_W = 150;
const VALUE_W = 120;

type Metric = "cost" | "tokens";
const measure = (b: UsageBar, m: Metric) => (m === "cost" ? b.costUsd : b.inputTokens + b.outputTokens);

function Bars({ title, bars, metric }: { title: string; bars: UsageBar[]; metric: Metric }) {
  const max = Math.max(...bars.map((b) => measure(b, metric)), 0);
  const width = 520;
  const plot = width - LABEL_W - VALUE_W;
  const height = Math.max(1, bars.length) * ROW + 4;
  const summary = bars.map((b) => `${b.label} ${usd(b.costUsd)}`).join(", ");
  return (
    <figure className="usage-chart">
      <figcaption>{title}</figcaption>
      {bars.length === 0 ? (
        <p className="muted">No usage recorded yet.</p>
      ) : (
        <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${title}: ${summary}`} preserveAspectRatio="xMinYMin meet">
          {bars.map((b, i) => {
            const w = max > 0 ? Math.max(2, (measure(b, metric) / max) * plot) : 2;
            const y = i * ROW + 2;
            return (
              <g key={b.key}>
                <title>{`${b.label}: ${usd(b.costUsd)}, ${b.calls} calls, ${b.inputTokens} in / ${b.outputTokens} out tokens`}</title>
                <text x={LABEL_W - 8} y={y + ROW / 2} textAnchor="end" dominantBaseline="middle" className="bar-label">
                  {b.label.length > 22 ? `${b.label.slice(0, 21)}…` : b.label}
                </text>
                <rect x={LABEL_W} y={y + 4} width={w} height={ROW - 8} rx={3} className="bar" />
                <text x={LABEL_W + w + 6} y={y + ROW / 2} dominantBaseline="middle" className="bar-value">
                  {`${usd(b.costUsd)} · ${tokens(b.inputTokens + b.outputTokens)} tok`}
                </text>
              </g>
            );
          })}
        </svg>
      )}
    </figure>
  );
}

export function UsageChart({ tasks }: { tasks: readonly TaskView[] }) {
  const { byRole, byModel, totalUsd } = usageBreakdown(tasks);
  // Free providers (the offline one, local models) cost nothing: compare them by tokens instead.
  const metric: Metric = totalUsd > 0 ? "cost" : "tokens";
  const what = metric === "cost" ? "Cost" : "Tokens";
  return (
    <div className="usage-charts">
      <Bars title={`${what} by role`} bars={byRole} metric={metric} />
      <Bars title={`${what} by model`} bars={byModel} metric={metric} />
    </div>
  );
}
