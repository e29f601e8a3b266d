import type { Node } from "web-tree-sitter";

/**
 * Rules that flag code worth a reviewer's look. They never stop a run: the sandbox is the
 * security boundary, these only tell the Engineer agent what its code reaches for.
 */
export type Finding = { rule: string; message: string; offset: number };
export type PyFinding = { rule: string; message: string; line: number; column: number };

const JS_MODULES: Record<string, string> = {
  child_process: "spawns processes",
  net: "opens raw sockets",
  dgram: "opens UDP sockets",
  cluster: "forks workers",
  worker_threads: "starts threads",
  vm: "evaluates code",
};

const bare = (m: string) => m.replace(/^node:/, "");

type EsNode = { type?: unknown; start?: unknown; [k: string]: unknown };
const isNode = (v: unknown): v is EsNode => typeof v === "object" && v !== null && typeof (v as EsNode).type === "string";

export function jsPolicy(program: unknown): Finding[] {
  const out: Finding[] = [];
  const mod = (name: unknown, at: number) => {
    if (typeof name !== "string") return;
    const why = JS_MODULES[bare(name)];
    if (why) out.push({ rule: "dangerous-module", message: `imports '${name}' (${why})`, offset: at });
  };
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!isNode(n)) return;
    const at = typeof n.start === "number" ? n.start : 0;
    const src = n.source as EsNode | undefined;
    if (
      (n.type === "ImportDeclaration" ||
        n.type === "ImportExpression" ||
        n.type === "ExportAllDeclaration" ||
        n.type === "ExportNamedDeclaration") &&
      src
    )
      mod(src.value, at);
    if (n.type === "CallExpression") {
      const callee = n.callee as EsNode | undefined;
      const args = n.arguments as EsNode[] | undefined;
      if (callee?.type === "Identifier" && callee.name === "require" && args?.[0]?.type === "Literal") mod(args[0].value, at);
      if (callee?.type === "Identifier" && callee.name === "eval") out.push({ rule: "eval", message: "calls eval()", offset: at });
    }
    if (n.type === "NewExpression" && (n.callee as EsNode | undefined)?.name === "Function")
      out.push({ rule: "eval", message: "constructs a Function from a string", offset: at });
    for (const [k, v] of Object.entries(n)) if (k !== "type" && typeof v === "object") walk(v);
  };
  walk(program);
  return out;
}

const PY_MODULES: Record<string, string> = {
  subprocess: "spawns processes",
  socket: "opens raw sockets",
  ctypes: "calls native code",
  multiprocessing: "forks workers",
};
const PY_CALLS: Record<string, string> = {
  eval: "evaluates code",
  exec: "executes code",
  "os.system": "runs a shell",
  "os.popen": "runs a shell",
  "os.fork": "forks",
};

export function pythonPolicy(root: Node): PyFinding[] {
  const out: PyFinding[] = [];
  const push = (n: Node, rule: string, message: string) =>
    out.push({ rule, message, line: n.startPosition.row + 1, column: n.startPosition.column + 1 });
  for (const n of root.descendantsOfType(["import_statement", "import_from_statement"])) {
    if (!n) continue;
    const names =
      n.type === "import_from_statement"
        ? [n.childForFieldName("module_name")?.text]
        : n.childrenForFieldName("name").map((c) => c?.text.split(" ")[0]);
    for (const name of names) {
      const top = name?.split(".")[0] ?? "";
      const why = PY_MODULES[top];
      if (why) push(n, "dangerous-module", `imports '${name}' (${why})`);
    }
  }
  for (const n of root.descendantsOfType("call")) {
    const fn = n?.childForFieldName("function")?.text ?? "";
    const why = PY_CALLS[fn];
    if (n && why) push(n, fn.startsWith("os.") ? "shell" : "eval", `calls ${fn}() (${why})`);
  }
  return out;
}
