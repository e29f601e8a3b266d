import type { WorkspaceFile } from "./workspace";
import { byteLength } from "./workspace";

/**
 * The project map the first user turn carries instead of every file: paths, sizes and exported
 * symbols (regex over export statements: cheap, good enough to know where to read).
 */
const JS_EXT = /\.(?:[cm]?[jt]sx?)$/;
const MAX_SYMBOLS_PER_FILE = 20;

export function exportedSymbols(path: string, content: string): string[] {
  const out = new Set<string>();
  if (JS_EXT.test(path)) {
    const kinds = "function\\*?|class|const|let|var|interface|type|enum|abstract\\s+class";
    const decl = new RegExp(`^export\\s+(?:default\\s+)?(?:declare\\s+)?(?:async\\s+)?(${kinds})\\s+([\\w$]+)`, "gm");
    for (const m of content.matchAll(decl)) out.add(m[2] as string);
    for (const m of content.matchAll(/^export\s*\{([^}]*)\}/gm)) {
      for (const part of (m[1] ?? "").split(",")) {
        const name = part
          .trim()
          .split(/\s+as\s+/)
          .pop()
          ?.trim();
        if (name) out.add(name);
      }
    }
    if (/^export\s+default\s+(?!function|class|async)/m.test(content)) out.add("default");
    for (const m of content.matchAll(/^(?:module\.)?exports\.([A-Za-z_$][\w$]*)\s*=/gm)) out.add(m[1] as string);
    const cjs = /^module\.exports\s*=\s*\{([^}]*)\}/m.exec(content);
    for (const part of cjs?.[1]?.split(",") ?? []) {
      const name = part.trim().split(":")[0]?.trim();
      if (name && /^[A-Za-z_$][\w$]*$/.test(name)) out.add(name);
    }
  } else if (path.endsWith(".py")) {
    for (const m of content.matchAll(/^(?:async\s+)?(?:def|class)\s+([A-Za-z_]\w*)/gm))
      if (!(m[1] as string).startsWith("_")) out.add(m[1] as string);
  }
  return [...out].slice(0, MAX_SYMBOLS_PER_FILE);
}

export function projectMap(files: WorkspaceFile[]): string {
  if (!files.length) return "The project is empty: no files yet.";
  const lines = files.map((f) => {
    const symbols = exportedSymbols(f.path, f.content);
    return `- ${f.path} (${byteLength(f.content)} bytes)${symbols.length ? ` exports: ${symbols.join(", ")}` : ""}`;
  });
  return `Project files (${files.length}); read_file shows a file's content:\n${lines.join("\n")}`;
}
