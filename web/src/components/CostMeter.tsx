import { usd } from "../lib/format";

/** Spend against budget; turns amber past 80 % and red at the limit. */
export function CostMeter({ spentUsd, budgetUsd }: { spentUsd: number; budgetUsd: number | null }) {
  const ratio = budgetUsd ? Math.min(1, spentUsd / budgetUsd) : 0;
  const level = ratio >= 1 ? "over" : ratio >= 0.8 ? "high" : "ok";
  return (
    <div className="cost-meter" data-level={level}>
      <div className="cost-figures">
        <span className="cost-spent" data-testid="spent">
          {usd(spentUsd)}
        </span>
        <span className="muted"> spent{budgetUsd !== null ? ` of ${usd(budgetUsd)}` : " (no budget limit)"}</span>
      </div>
      {budgetUsd !== null && (
        <div
          className="meter-track"
          role="meter"
          aria-label="Budget used"
          aria-valuemin={0}
          aria-valuemax={budgetUsd}
          aria-valuenow={Math.min(spentUsd, budgetUsd)}
          aria-valuetext={`${usd(spentUsd)} of ${usd(budgetUsd)}`}
        >
          <div className="meter-fill" style={{ width: `${(ratio * 100).toFixed(1)}%` }} />
        </div>
      )}
    </div>
  );
}
