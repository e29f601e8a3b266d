import { describe, expect, it } from "vitest";
import { parseTestOutput } from "./test-report";

// Shapes copied from real Node 22 / Python 3.11 runs.
const TAP = `TAP version 13
# Subtest: adds
ok 1 - adds
  ---
  duration_ms: 0.5
  type: 'test'
  ...
# Subtest: subtracts
not ok 2 - subtracts
  ---
  duration_ms: 0.9
  type: 'test'
  location: '/w/test/a.test.mjs:8:1'
  failureType: 'testCodeFailure'
  error: |-
    Expected values to be strictly equal:

    1 !== 2

  code: 'ERR_ASSERTION'
  ...
not ok 3 - /w/test/broken.test.mjs
  ---
  error: 'test failed'
  ...
1..3
# tests 3
# suites 0
# pass 1
# fail 2
# cancelled 0
# skipped 0
# todo 0
# duration_ms 51.2
`;

describe("parseTestOutput", () => {
  it("reads node:test TAP counts and failure messages", () => {
    const r = parseTestOutput(TAP, "");
    expect(r).toMatchObject({ format: "tap", total: 3, passed: 1, failed: 2 });
    expect(r.failures).toEqual([
      { name: "subtracts", message: "Expected values to be strictly equal:\n\n1 !== 2" },
      { name: "/w/test/broken.test.mjs", message: "test failed" },
    ]);
  });
  it("reads the spec reporter summary", () => {
    const r = parseTestOutput("✔ adds (0.4ms)\n✖ subtracts (0.8ms)\nℹ tests 2\nℹ suites 0\nℹ pass 1\nℹ fail 1\nℹ cancelled 0\n", "");
    expect(r).toMatchObject({ format: "spec", total: 2, passed: 1, failed: 1, failures: [{ name: "subtracts" }] });
  });
  it("reads Python unittest output", () => {
    const stderr = `test_a (test_x.T.test_a) ... ok
test_b (test_x.T.test_b) ... FAIL

======================================================================
FAIL: test_b (test_x.T.test_b)
----------------------------------------------------------------------
Traceback (most recent call last):
AssertionError: 1 != 2

----------------------------------------------------------------------
Ran 2 tests in 0.001s

FAILED (failures=1)
`;
    const r = parseTestOutput("", stderr);
    expect(r).toMatchObject({ format: "unittest", total: 2, passed: 1, failed: 1 });
    expect(r.failures[0]?.message).toContain("AssertionError: 1 != 2");
  });
  it("says so when there is no summary at all", () => {
    expect(parseTestOutput("Segmentation fault", "")).toEqual({ total: 0, passed: 0, failed: 0, format: "none", failures: [] });
  });
});
