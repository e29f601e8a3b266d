/**
 * A deterministic noun picker for the offline provider: no AI, just a stop-word list and `pluralize`.
 * "a booking app for dog groomers" → Booking, Dog, Groomer (+ Customer).
 */
import pluralize from "pluralize";

const STOP = new Set(
  (
    "a an the and or but of for to in on at by with from into onto about as that which who whom whose where when while " +
    "this these those my our your their its his her them they we you it i me us is are be been being was were will would can could should " +
    "app apps application applications platform platforms tool tools service services system systems website websites site sites saas software " +
    "solution solutions product products marketplace portal dashboard crm api mvp web mobile online digital simple small tiny smart easy new better best " +
    "local global personal professional independent based powered driven friendly focused first " +
    "help helps helping let lets letting allow allows allowing enable enables make makes making build builds manage manages managing " +
    "track tracks tracking find finds finding share shares sharing sell sells selling buy buys buying connect connects connecting " +
    "organize organizes organise organises plan plans planning run runs running keep keeps get gets use uses using want wants need needs " +
    "like also all any each every some more most other such own way ways people thing things stuff lot lots"
  ).split(/\s+/),
);

const PEOPLE = new Set(["customer", "user", "client", "member", "patient", "student", "guest", "buyer", "subscriber", "owner"]);
export const MAX_ENTITIES = 4;

/** English singular through `pluralize` (statuses → status, people → person, children → child). */
export function singular(word: string): string {
  return pluralize.singular(word);
}

/** Table names: the plural of the entity's snake_case name (status → statuses, person → people, order_item → order_items). */
export function plural(word: string): string {
  return pluralize.plural(word);
}

export function pascal(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

export function snake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toLowerCase();
}

/** PascalCase singular entity names found in the idea, in order of appearance, plus a Customer when room is left. */
export function entityNames(idea: string): string[] {
  const words = idea.toLowerCase().match(/[a-z]+/g) ?? [];
  const names: string[] = [];
  for (const w of words) {
    if (w.length < 3 || STOP.has(w) || w.endsWith("ly")) continue;
    const s = singular(w);
    if (STOP.has(s)) continue;
    const name = pascal(s);
    if (!names.includes(name)) names.push(name);
    if (names.length === MAX_ENTITIES) break;
  }
  if (names.length === 0) names.push("Item");
  if (names.length < MAX_ENTITIES && !names.some((n) => PEOPLE.has(n.toLowerCase()))) names.push("Customer");
  return names;
}

/** A worker-name-safe slug of the idea, e.g. "booking-dog-groomer". */
export function projectSlug(idea: string): string {
  const slug = entityNames(idea)
    .filter((n) => n !== "Customer" || /customer/i.test(idea))
    .map((n) => snake(n).replace(/_/g, "-"))
    .join("-")
    .slice(0, 40)
    .replace(/-+$/, "");
  return slug || "app";
}
