import { describe, expect, it } from "vitest";
import { parseTscOutput, parseVitestReport, vitestFailures, wranglerErrors } from "./reports";

// Verbatim `tsc --noEmit --pretty false` output (TypeScript 5.9.3, the layer's) for planted errors.
const TSC_OUTPUT = [
  "src/index.ts(22,7): error TS2322: Type 'string' is not assignable to type 'number'.",
  "src/index.ts(24,3): error TS2345: Argument of type '{ a: { b: string; }; }' is not assignable to parameter of type '{ a: { b: number; }; }'.",
  "  The types of 'a.b' are incompatible between these types.",
  "    Type 'string' is not assignable to type 'number'.",
  "ui/App.tsx(3,1): error TS2304: Cannot find name 'nope'.",
  "error TS5058: The specified path does not exist: 'nope.json'.",
  "",
].join("\n");

describe("tsc diagnostics", () => {
  it("gives file, 1-based line and column, code and the whole message of each", () => {
    expect(parseTscOutput(TSC_OUTPUT)).toEqual([
      { file: "src/index.ts", line: 22, column: 7, code: "TS2322", message: "Type 'string' is not assignable to type 'number'." },
      {
        file: "src/index.ts",
        line: 24,
        column: 3,
        code: "TS2345",
        message:
          "Argument of type '{ a: { b: string; }; }' is not assignable to parameter of type '{ a: { b: number; }; }'.\n" +
          "The types of 'a.b' are incompatible between these types.\nType 'string' is not assignable to type 'number'.",
      },
      { file: "ui/App.tsx", line: 3, column: 1, code: "TS2304", message: "Cannot find name 'nope'." },
      { code: "TS5058", message: "The specified path does not exist: 'nope.json'." },
    ]);
  });

  it("finds nothing in a clean run", () => {
    expect(parseTscOutput("")).toEqual([]);
  });
});

// A vitest 4.1.12 JSON report (trimmed to the fields the reporter writes) of a run with one failing test.
const REPORT = {
  numTotalTestSuites: 2,
  numPassedTestSuites: 1,
  numFailedTestSuites: 1,
  numPendingTestSuites: 0,
  numTotalTests: 3,
  numPassedTests: 2,
  numFailedTests: 1,
  numPendingTests: 0,
  numTodoTests: 0,
  success: false,
  startTime: 1796144509613,
  testResults: [
    {
      name: "/work/test/items.test.ts",
      status: "failed",
      message: "",
      assertionResults: [
        {
          ancestorTitles: ["items API on D1"],
          fullName: "items API on D1 answers the health check",
          status: "failed",
          title: "answers the health check",
          failureMessages: [
            "AssertionError: expected { ok: true } to deeply equal { ok: false }\n    at /work/test/items.test.ts:12:30\n    at node_modules/@vitest/runner/dist/chunk-artifact.js:1903:20",
          ],
          location: { line: 9, column: 3 },
        },
        {
          ancestorTitles: ["items API on D1"],
          fullName: "items API on D1 refuses an item without a name",
          status: "passed",
          title: "refuses an item without a name",
          failureMessages: [],
        },
      ],
    },
    {
      name: "/work/test/broken.test.ts",
      status: "failed",
      message: "Failed to load url ./missing (resolved id: ./missing) in /work/test/broken.test.ts. Does the file exist?",
      assertionResults: [],
    },
  ],
};

describe("vitest's JSON report", () => {
  it("lists each failing test with file, line and the assertion, and a test file that failed to load", () => {
    const report = parseVitestReport(JSON.stringify(REPORT));
    expect(report).not.toBeNull();
    expect(vitestFailures(report!)).toEqual([
      {
        file: "test/items.test.ts",
        line: 9,
        column: 3,
        test: "items API on D1 answers the health check",
        message: "AssertionError: expected { ok: true } to deeply equal { ok: false }",
      },
      {
        file: "test/broken.test.ts",
        message: "Failed to load url ./missing (resolved id: ./missing) in /work/test/broken.test.ts. Does the file exist?",
      },
    ]);
  });

  it("refuses what is not a vitest report", () => {
    expect(parseVitestReport("{ torn")).toBeNull();
    expect(parseVitestReport(JSON.stringify({ numTotalTests: "3" }))).toBeNull();
  });
});

describe("wrangler's output file", () => {
  it("reads command-failed entries and skips the rest, even a torn last line", () => {
    const ndjson = [
      JSON.stringify({ type: "wrangler-session", version: 1, wrangler_version: "4.156.0" }),
      JSON.stringify({
        type: "command-failed",
        version: 1,
        message: 'The directory specified by the "assets.directory" field does not exist: /work/dist',
      }),
      '{"type":"comm',
    ].join("\n");
    expect(wranglerErrors(ndjson)).toEqual([
      { message: 'The directory specified by the "assets.directory" field does not exist: /work/dist' },
    ]);
    expect(wranglerErrors(null)).toEqual([]);
  });
});
