// The dotenv format of `env_file:` (docs/config.md, Environment files), parsed strictly so that every
// line means one thing and a bad one is reported with its line number instead of being skipped.
// Pure: text in, variables or problems out.
//
//   # comment                 blank lines and lines starting with # are ignored
//   export NAME=value         `export ` is allowed (so the file can be sourced by a shell too)
//   NAME=value # note         unquoted: trimmed; ` #` starts a comment; no escapes, no expansion
//   NAME='literal $X'         single quotes: exactly what is inside
//   NAME="a\nb \"c\""         double quotes: \n \r \t \" \\ \$ escapes; may span lines
//
// A name is letters, digits and _ (not starting with a digit); a later line wins over an earlier one.

export interface EnvFileProblem {
  /** 1-based line in the env file. */
  line: number;
  message: string;
}

export type EnvFileResult = { ok: true; vars: Record<string, string> } | { ok: false; problems: EnvFileProblem[] };

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\', $: '$' };

/** What may follow a closing quote: spaces, then nothing or a comment. */
function restIsEmpty(rest: string): boolean {
  const t = rest.trimStart();
  return t === '' || t.startsWith('#');
}

export function parseEnvFile(text: string): EnvFileResult {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .map((l) => l.replace(/\r$/, ''));
  const vars: Record<string, string> = {};
  const problems: EnvFileProblem[] = [];
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    let line = (lines[i] ?? '').trimStart();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('export ')) line = line.slice('export '.length).trimStart();
    const eq = line.indexOf('=');
    if (eq < 0) {
      problems.push({ line: lineNo, message: 'expected NAME=value' });
      continue;
    }
    const name = line.slice(0, eq).trim();
    if (!NAME_RE.test(name)) {
      problems.push({ line: lineNo, message: `bad variable name ${JSON.stringify(name)} (letters, digits and _)` });
      continue;
    }
    const raw = line.slice(eq + 1).trimStart();
    if (raw.startsWith("'")) {
      const end = raw.indexOf("'", 1);
      if (end < 0 || !restIsEmpty(raw.slice(end + 1))) {
        problems.push({ line: lineNo, message: `${name}: unterminated or trailing text after '...'` });
        continue;
      }
      vars[name] = raw.slice(1, end);
    } else if (raw.startsWith('"')) {
      // Double quotes may span lines: read on until the closing quote.
      let value = '';
      let rest = raw.slice(1);
      let closed = false;
      const startLine = lineNo;
      for (;;) {
        let j = 0;
        for (; j < rest.length; j++) {
          const c = rest[j];
          if (c === '\\' && j + 1 < rest.length) {
            const next = rest[j + 1] ?? '';
            value += ESCAPES[next] ?? `\\${next}`;
            j++;
          } else if (c === '"') {
            closed = true;
            break;
          } else value += c;
        }
        if (closed) {
          rest = rest.slice(j + 1);
          break;
        }
        if (i + 1 >= lines.length) break;
        i++;
        value += '\n';
        rest = lines[i] ?? '';
      }
      if (!closed) problems.push({ line: startLine, message: `${name}: unterminated "..."` });
      else if (!restIsEmpty(rest)) problems.push({ line: i + 1, message: `${name}: text after the closing quote` });
      else vars[name] = value;
    } else {
      const hash = raw.search(/\s#/);
      vars[name] = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, vars };
}
