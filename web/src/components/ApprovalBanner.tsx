import type { TaskView } from "@proximus/contracts/api";
import { ROLE_LABELS } from "@proximus/contracts/roles";

/** Tells the user the project is waiting on them, and takes them to the first task that needs a look. */
export function ApprovalBanner({ waiting, onOpen }: { waiting: readonly TaskView[]; onOpen(id: string): void }) {
  const first = waiting[0];
  if (!first) return null;
  const role = ROLE_LABELS[first.role];
  const more = waiting.length - 1;
  return (
    <section className="banner banner-approval" role="status" aria-label="Waiting for your approval" data-testid="approval-banner">
      <p>
        <strong>{role}'s output is waiting for your approval</strong> — review and approve
        {more > 0 ? ` (and ${more} more task${more > 1 ? "s" : ""})` : ""}. The tasks after it start once you do.
      </p>
      <button type="button" onClick={() => onOpen(first.id)}>
        Review {role}'s output
      </button>
    </section>
  );
}
