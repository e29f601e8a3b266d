import { SafePath } from "../roles/common";
import { checkBalance } from "./balance";
import { byteLength } from "./workspace";

/**
 * Checks a write must pass before it lands in the workspace: path rules (SafePath, as for the
 * Engineers' files today), a size cap, no placeholders / elided code, no truncated files.
 * Each failure is a sentence the model can act on.
 */
export const MAX_FILE_BYTES = 200_000;

/**
 * Phrases models use instead of writing code (bolt.new #124, gpt-engineer, aider's "lazy coding").
 * Checked in every file; all are phrases, so prose that merely mentions code is rarely caught.
 */
export const PLACEHOLDER_PHRASES: readonly { pattern: RegExp; what: string }[] = [
  { pattern: /\brest of (?:the )?(?:code|file|implementation|function|class|component|module)\b/i, what: '"rest of the code"' },
  { pattern: /\b(?:remains?|stays?|is|are) (?:the same|unchanged) as (?:before|above)\b/i, what: '"remains the same as before"' },
  {
    pattern:
      /\b(?:existing|previous|original|other|same) (?:code|implementation|logic|methods|functions) (?:(?:goes )?here|remains?|unchanged)/i,
    what: '"existing code here"',
  },
  { pattern: /\b(?:your|the|add|insert) (?:code|implementation|logic) (?:goes )?here\b/i, what: '"your code here"' },
  { pattern: /\bTODO:?\s*implement\b/i, what: '"TODO: implement"' },
  { pattern: /\b(?:omitted|elided|truncated|abbreviated) for brevity\b/i, what: '"omitted for brevity"' },
  { pattern: /\bimplementation (?:goes )?here\b/i, what: '"implementation here"' },
];

/**
 * Comment-only ellipses (`// ...`, `# ...`, `/* ... *\/`, `<!-- ... -->`, `{ ... }`): checked in code files only.
 * A line that is only "..." is allowed: TAP and YAML end blocks with it, Python stubs use it.
 */
export const ELISION_PATTERNS: readonly { pattern: RegExp; what: string }[] = [
  { pattern: /^\s*(?:\/\/|#|--)\s*(?:\.\.\.|…)/m, what: 'a "// ..." comment' },
  { pattern: /\/\*\s*(?:\.\.\.|…)[^*]*\*\//, what: 'a "/* ... */" comment' },
  { pattern: /<!--\s*(?:\.\.\.|…)[\s\S]*?-->/, what: 'a "<!-- ... -->" comment' },
  // Not in comment lines, not `${…}` (a template placeholder described in prose).
  { pattern: /^(?!\s*(?:\/\/|\*|#|\/\*)).*(?<!\$)\{\s*(?:\.\.\.|…)\s*\}/m, what: "a `{ ... }` body" },
];

const CODE_EXT = /\.(?:[cm]?[jt]sx?|py|css|scss|html?|sql|sh|json|jsonc|toml|ya?ml|go|rs|java)$/i;
const BALANCED_EXT = /\.(?:[cm]?[jt]s)$/i;
const JSON_EXT = /\.json$/i;

export interface WriteCheckOptions {
  /** Extra syntax check (e.g. a real parser where one runs); returns an error sentence or null. */
  checkSyntax?: (path: string, content: string) => string | null;
}

/** null when the path is acceptable, else the reason. */
export function checkPath(path: string): string | null {
  const r = SafePath.safeParse(path);
  return r.success ? null : `invalid path "${path}": ${r.error.issues.map((i) => i.message).join("; ")}`;
}

function lineOf(content: string, index: number): number {
  return content.slice(0, index).split("\n").length;
}

/** Placeholder / elision findings, e.g. `line 12: "rest of the code"`. Empty = clean. */
export function findPlaceholders(path: string, content: string): string[] {
  const found: string[] = [];
  const patterns = CODE_EXT.test(path) ? [...PLACEHOLDER_PHRASES, ...ELISION_PATTERNS] : PLACEHOLDER_PHRASES;
  for (const { pattern, what } of patterns) {
    const m = pattern.exec(content);
    if (m) found.push(`line ${lineOf(content, m.index)}: ${what} (${JSON.stringify(m[0].trim().slice(0, 60))})`);
  }
  return found;
}

/** Every reason the write must be refused; empty = it may land. */
export function checkWrite(path: string, content: string, opts: WriteCheckOptions = {}): string[] {
  const pathError = checkPath(path);
  if (pathError) return [pathError];
  const errors: string[] = [];
  const bytes = byteLength(content);
  if (bytes > MAX_FILE_BYTES) errors.push(`file is ${bytes} bytes; the limit is ${MAX_FILE_BYTES}: split it into smaller modules`);
  const placeholders = findPlaceholders(path, content);
  if (placeholders.length) {
    errors.push(`placeholder or elided code is not allowed, write the complete file: ${placeholders.join("; ")}`);
  }
  if (JSON_EXT.test(path)) {
    try {
      JSON.parse(content);
    } catch (e) {
      errors.push(`not valid JSON (truncated?): ${e instanceof Error ? e.message : String(e)}`);
    }
  } else if (BALANCED_EXT.test(path)) {
    const problem = checkBalance(content);
    if (problem) errors.push(`looks truncated or unbalanced: ${problem}`);
  }
  const extra = opts.checkSyntax?.(path, content);
  if (extra) errors.push(extra);
  return errors;
}
