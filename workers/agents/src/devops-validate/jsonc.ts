import { parse, printParseErrorCode, type ParseError } from "jsonc-parser";
import { ConfigParseError, positionOf } from "./parse-error";

/**
 * JSON with comments and trailing commas (wrangler.jsonc, tsconfig.json) through jsonc-parser, the
 * parser wrangler uses. Positions are offsets into the text as given, comments included.
 */
export function parseJsonc(text: string, opts: { strict?: boolean } = {}): unknown {
  const errors: ParseError[] = [];
  const strict = opts.strict ?? false;
  const value: unknown = parse(text, errors, { allowTrailingComma: !strict, disallowComments: strict, allowEmptyContent: false });
  const first = errors[0];
  if (first) {
    const { line, column } = positionOf(text, first.offset);
    throw new ConfigParseError(line, column, printParseErrorCode(first.error));
  }
  return value;
}
