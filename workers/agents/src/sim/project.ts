/**
 * The tiny project the simulated models write: plain JavaScript with `node --test`, an in-memory
 * items API. `APP_SLIP` is the same file with the one bug real models make: 200 where the test
 * (and the spec) expect 201 on create.
 */
export const APP_PATH = "src/app.js";
export const TEST_PATH = "test/app.test.js";

export const APP_SOURCE = `// In-memory items API: handle(method, path, body) -> { status, body }.
const items = [];

function handle(method, path, body) {
  if (method === "GET" && path === "/items") {
    return { status: 200, body: items };
  }
  if (method === "POST" && path === "/items") {
    if (!body || typeof body.name !== "string" || body.name === "") {
      return { status: 400, body: { error: "name is required" } };
    }
    const item = { id: items.length + 1, name: body.name };
    items.push(item);
    return { status: 201, body: item };
  }
  return { status: 404, body: { error: "not found" } };
}

module.exports = { handle };
`;

export const CREATED_LINE = "    return { status: 201, body: item };";
export const SLIP_LINE = "    return { status: 200, body: item };";
/** A wrong "fix" (the same_failing_edit scenario keeps making it). */
export const WRONG_FIX_LINE = "    return { status: 202, body: item };";

export const APP_SLIP = APP_SOURCE.replace(CREATED_LINE, SLIP_LINE);

export const TEST_SOURCE = `const test = require("node:test");
const assert = require("node:assert/strict");
const { handle } = require("../src/app.js");

test("POST /items creates an item and answers 201", () => {
  const res = handle("POST", "/items", { name: "first" });
  assert.equal(res.status, 201);
  assert.equal(res.body.name, "first");
});

test("GET /items lists the items", () => {
  const res = handle("GET", "/items");
  assert.equal(res.status, 200);
  assert.ok(Array.isArray(res.body));
});

test("POST /items without a name answers 400", () => {
  assert.equal(handle("POST", "/items", {}).status, 400);
});

test("an unknown route answers 404", () => {
  assert.equal(handle("GET", "/nope").status, 404);
});
`;

/** The app with a long doc comment: a reply that needs more than 4096 output tokens to write it. */
export function verboseApp(): string {
  const notes = Array.from({ length: 250 }, (_, i) => ` * - note ${i + 1}: every route answers JSON; ids are assigned in insertion order.`);
  return `/**\n * Items API, documented at length.\n${notes.join("\n")}\n */\n${APP_SOURCE}`;
}
