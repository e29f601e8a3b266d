import { parse, TomlError } from "smol-toml";
import { ConfigParseError } from "./parse-error";

/** TOML 1.0/1.1 through smol-toml, the parser wrangler itself uses for wrangler.toml. */
export function parseToml(text: string): Record<string, unknown> {
  try {
    return parse(text) as Record<string, unknown>;
  } catch (e) {
    if (!(e instanceof TomlError)) throw e;
    // smol-toml's message is "Invalid TOML document: <reason>\n\n<code frame>"; the position is on the error.
    const reason = e.message.split("\n")[0]!.replace(/^Invalid TOML document: /, "");
    throw new ConfigParseError(e.line, e.column, reason);
  }
}
