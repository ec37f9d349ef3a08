/**
 * Python's fnmatch.translate, which Ansible uses for host patterns: `*`, `?`,
 * `[seq]`, `[!seq]`; an unclosed `[` is literal; reversed ranges such as `[z-a]`
 * are dropped rather than rejected; case-sensitive; the whole name must match.
 */
export function fnmatchToRegExp(pattern: string): RegExp {
  let source = '';
  let i = 0;
  const n = pattern.length;
  while (i < n) {
    const c = pattern[i]!;
    i += 1;
    if (c === '*') {
      source += '.*';
      while (pattern[i] === '*') i += 1;
    } else if (c === '?') {
      source += '.';
    } else if (c === '[') {
      let j = i;
      if (pattern[j] === '!') j += 1;
      if (pattern[j] === ']') j += 1;
      while (j < n && pattern[j] !== ']') j += 1;
      if (j >= n) {
        source += '\\[';
      } else {
        source += characterClass(pattern.slice(i, j));
        i = j + 1;
      }
    } else {
      source += escapeRegExp(c);
    }
  }
  return new RegExp(`^(?:${source})$`, 's');
}

export function hasWildcard(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

function characterClass(body: string): string {
  const negated = body.startsWith('!');
  const chunks = rangeChunks(negated ? body.slice(1) : body);
  const members = chunks.map((chunk) => chunk.replace(/[\\\]\-^[]/g, '\\$&')).join('-');
  if (!members) return negated ? '.' : '(?!)';
  return `[${negated ? '^' : ''}${members}]`;
}

/**
 * Splits a class body on its range hyphens (a hyphen first or last is literal)
 * and merges away ranges whose ends are reversed, as CPython does.
 */
function rangeChunks(body: string): string[] {
  const chunks: string[] = [];
  let start = 0;
  let k = 1;
  for (;;) {
    const hyphen = body.indexOf('-', k);
    if (hyphen < 0) break;
    chunks.push(body.slice(start, hyphen));
    start = hyphen + 1;
    k = hyphen + 3;
  }
  const rest = body.slice(start);
  if (rest) chunks.push(rest);
  else if (chunks.length > 0) chunks[chunks.length - 1] += '-';
  for (let index = chunks.length - 1; index > 0; index -= 1) {
    const previous = chunks[index - 1]!;
    const current = chunks[index]!;
    if (previous[previous.length - 1]! > current[0]!) {
      chunks[index - 1] = previous.slice(0, -1) + current.slice(1);
      chunks.splice(index, 1);
    }
  }
  return chunks;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
