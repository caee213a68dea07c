// JSON written by hand (kinoson configurations, state descriptions): a UTF-8 byte-order mark and
// // or /* */ comments are accepted, and a syntax error names its line and column. JSON.parse in
// Node 20 gives an offset for only some errors ("Unexpected token 'x'" has none), so the text is
// read with jsonc-parser (Microsoft's JSON-with-comments parser, used by VS Code), which reports
// the offset of every error; trailing commas and empty files stay errors, as in JSON.
import { parse, ParseError, printParseErrorCode } from 'jsonc-parser';

/** "CommaExpected" → "comma expected". */
function describe(error: ParseError): string {
  return printParseErrorCode(error.error).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/** Parses hand-written JSON; `where` names the file in errors, which are thrown as `makeError(message)`. */
export function parseJsonText(text: string, where: string, makeError: (message: string) => Error): unknown {
  const clean = text.replace(/^\ufeff/, '');
  const errors: ParseError[] = [];
  const value: unknown = parse(clean, errors, { allowTrailingComma: false, disallowComments: false, allowEmptyContent: false });
  if (errors.length === 0) return value;
  const at = errors[0].offset;
  const before = clean.slice(0, at);
  const line = before.split('\n').length;
  const column = at - before.lastIndexOf('\n');
  throw makeError(`${where}: line ${line}, column ${column}: not valid JSON (${describe(errors[0])})`);
}
