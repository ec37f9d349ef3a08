import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const README = fileURLToPath(new URL('../../../README.md', import.meta.url));

/** The codes the README's "Error codes:" paragraph lists: the one registry users read. */
export function documentedErrorCodes(): Set<string> {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf('Error codes:');
  if (start === -1) throw new Error(`no "Error codes:" paragraph in ${README}`);
  const paragraph = text.slice(start, text.indexOf('\n\n', start));
  return new Set([...paragraph.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((match) => match[1]!));
}
