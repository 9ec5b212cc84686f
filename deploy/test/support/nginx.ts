/**
 * An nginx configuration as a tree of directives, enough to check what a file says (which
 * upstream, which port, which headers) without an nginx binary: `#` comments, quoted strings,
 * `;` and `{ … }` blocks.
 */
export interface Directive {
  name: string;
  args: string[];
  block?: Directive[];
}

/** nginx's escapes inside a quoted string: \t, \r, \n, and any other character as itself. */
const unescape = (s: string): string => s.replace(/\\(.)/g, (_, c: string) => ({ t: '\t', r: '\r', n: '\n' })[c] ?? c);

function tokens(text: string): string[] {
  const out: string[] = [];
  const re = /\s+|#[^\n]*|'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([{};])|([^\s{};'"#]+)/y;
  while (re.lastIndex < text.length) {
    const at = re.lastIndex;
    const m = re.exec(text);
    if (!m) throw new Error(`cannot read the nginx configuration at character ${at}`);
    const quoted = m[1] ?? m[2];
    const value = quoted === undefined ? (m[3] ?? m[4]) : unescape(quoted);
    if (value !== undefined) out.push(value);
  }
  return out;
}

export function parseNginx(text: string): Directive[] {
  const stack: Directive[][] = [[]];
  let current: string[] = [];
  for (const t of tokens(text)) {
    const level = stack[stack.length - 1] ?? [];
    if (t === ';') {
      const [name = '', ...args] = current;
      level.push({ name, args });
      current = [];
    } else if (t === '{') {
      const [name = '', ...args] = current;
      const d: Directive = { name, args, block: [] };
      level.push(d);
      stack.push(d.block ?? []);
      current = [];
    } else if (t === '}') {
      stack.pop();
    } else {
      current.push(t);
    }
  }
  if (stack.length !== 1 || current.length) throw new Error('unbalanced nginx configuration');
  return stack[0] ?? [];
}

/** Every directive named `name`, at any depth, with the blocks it sits in. */
export function findAll(
  tree: Directive[],
  name: string,
  within: Directive[] = [],
): { directive: Directive; within: Directive[] }[] {
  return tree.flatMap((d) => [
    ...(d.name === name ? [{ directive: d, within }] : []),
    ...(d.block ? findAll(d.block, name, [...within, d]) : []),
  ]);
}
