// Shell-like splitting of a command string into argv without running a shell: whitespace separates,
// single quotes are literal, double quotes allow \" \\ \$ \`, a backslash outside quotes escapes one char.
// The one splitter: a `command:` in the workers file and `gmsup work --command` read text the same way.

export type SplitResult = { ok: true; argv: string[] } | { ok: false; message: string };

export function splitCommand(text: string): SplitResult {
  const argv: string[] = [];
  let current = '';
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n') {
      if (inWord) argv.push(current);
      current = '';
      inWord = false;
      i++;
    } else if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return { ok: false, message: 'unterminated single quote' };
      current += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (ch === '"') {
      i++;
      let closed = false;
      while (i < text.length) {
        const c = text[i]!;
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        if (c === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) {
          current += text[i + 1];
          i += 2;
          continue;
        }
        current += c;
        i++;
      }
      if (!closed) return { ok: false, message: 'unterminated double quote' };
      inWord = true;
    } else if (ch === '\\') {
      if (i + 1 >= text.length) return { ok: false, message: 'trailing backslash' };
      current += text[i + 1];
      inWord = true;
      i += 2;
    } else {
      current += ch;
      inWord = true;
      i++;
    }
  }
  if (inWord) argv.push(current);
  return { ok: true, argv };
}
