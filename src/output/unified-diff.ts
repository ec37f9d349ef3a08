import { structuredPatch } from 'diff';

/** One side of a diff: the name shown in its `---`/`+++` header, and its text. */
export interface DiffSide {
  label: string;
  text: string;
}

/** Lines of context around each change, as difflib.unified_diff's default (n=3). */
const CONTEXT = 3;

/**
 * `from` → `to` as Python's difflib.unified_diff(..., lineterm='') prints it
 * (what `clush --diff` writes): `--- from`, `+++ to`, then hunks whose ranges
 * omit a length of 1. Lines are compared without their ends, so a missing last
 * newline is no difference, as in clush, which diffs lists of lines. No lines
 * when the texts are equal.
 */
export function unifiedDiffLines(from: DiffSide, to: DiffSide): string[] {
  const patch = structuredPatch(from.label, to.label, withLastNewline(from.text), withLastNewline(to.text), undefined, undefined, { context: CONTEXT });
  if (patch.hunks.length === 0) return [];
  const lines = [`--- ${from.label}`, `+++ ${to.label}`];
  for (const hunk of patch.hunks) {
    lines.push(`@@ -${range(hunk.oldStart, hunk.oldLines)} +${range(hunk.newStart, hunk.newLines)} @@`, ...hunk.lines);
  }
  return lines;
}

/** difflib's _format_range_unified: `start` alone for one line, `start-1,0` for none. */
function range(start: number, length: number): string {
  if (length === 1) return String(start);
  return `${length === 0 ? start - 1 : start},${length}`;
}

function withLastNewline(text: string): string {
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}
