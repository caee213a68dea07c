// JSON written by hand (kinoson configurations, state descriptions): a UTF-8 byte-order mark and
// // or /* */ comments are accepted, and a syntax error names its line and column. JSON.parse in
// Node 20 gives an offset for only some errors ("Unexpected token 'x'" has none), so the offset
// comes from a small scanner of the JSON grammar that stops at the first character it cannot take.

/** Replaces comments outside strings by spaces (newlines kept), so offsets stay those of the file. */
function blankComments(s: string): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    if (s[i] === '"') {
      let j = i + 1;
      while (j < s.length && s[j] !== '"' && s[j] !== '\n') j += s[j] === '\\' ? 2 : 1;
      out += s.slice(i, j + 1);
      i = j + 1;
    } else if (s.startsWith('//', i)) {
      const end = s.indexOf('\n', i) < 0 ? s.length : s.indexOf('\n', i);
      out += ' '.repeat(end - i);
      i = end;
    } else if (s.startsWith('/*', i) && s.indexOf('*/', i + 2) >= 0) {
      const end = s.indexOf('*/', i + 2) + 2;
      out += s.slice(i, end).replace(/[^\n]/g, ' ');
      i = end;
    } else out += s[i++];
  }
  return out;
}

/** Offset of the first character that is not valid JSON (s.length when the text ends too early). */
function syntaxErrorOffset(s: string): number {
  let i = 0;
  const stop = (): never => {
    throw i;
  };
  const space = () => {
    while (i < s.length && ' \t\n\r'.includes(s[i])) i++;
  };
  const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const string = () => {
    for (i++; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x22) return void i++;
      if (c < 0x20) stop();
      if (c === 0x5c) {
        i++;
        if (s[i] === 'u' ? !/^[0-9a-fA-F]{4}$/.test(s.slice(i + 1, i + 5)) : !'"\\/bfnrt'.includes(s[i] ?? 'x')) stop();
        if (s[i] === 'u') i += 4;
      }
    }
    stop();
  };
  const members = (close: string, member: () => void) => {
    i++;
    space();
    if (s[i] === close) return void i++;
    for (;;) {
      member();
      space();
      if (s[i] === close) return void i++;
      if (s[i] !== ',') stop();
      i++;
    }
  };
  const value = (): void => {
    space();
    if (s[i] === '{')
      return members('}', () => {
        space();
        if (s[i] !== '"') stop();
        string();
        space();
        if (s[i] !== ':') stop();
        i++;
        value();
      });
    if (s[i] === '[') return members(']', value);
    if (s[i] === '"') return string();
    number.lastIndex = i;
    if (number.exec(s)) return void (i = number.lastIndex);
    const literal = ['true', 'false', 'null'].find((l) => s.startsWith(l, i));
    if (!literal) stop();
    i += literal!.length;
  };
  try {
    value();
    space();
    return i < s.length ? i : -1;
  } catch (at) {
    if (typeof at === 'number') return at;
    throw at;
  }
}

/** Parses hand-written JSON; `where` names the file in errors, which are thrown as `makeError(message)`. */
export function parseJsonText(text: string, where: string, makeError: (message: string) => Error): unknown {
  const clean = blankComments(text.replace(/^\ufeff/, ''));
  try {
    return JSON.parse(clean);
  } catch (err) {
    const at = Math.max(0, syntaxErrorOffset(clean));
    const before = clean.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    const reason = (err as Error).message.replace(/ in JSON at position \d+.*$/s, '').replace(/, ".*" is not valid JSON$/s, '');
    throw makeError(`${where}: line ${line}, column ${column}: not valid JSON (${reason})`);
  }
}
