/**
 * Ansible's host ranges: `web[01:20].example.com`, `db-[a:f]`, `[1:10:2]`, several
 * ranges in one name expanding as a cartesian product, left range outermost.
 * Ansible silently expands a reversed range to nothing; here that is an error,
 * since it is always a typo.
 */

/** A malformed range; the inventory parser adds the file and line. */
export class HostRangeError extends Error {}

/** Ranges past this are a typo (`[1:1000000000]`), not an inventory. */
export const MAX_RANGE_HOSTS = 1_000_000;

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = /^[0-9]+$/;

export function expandHostRange(name: string): string[] {
  const open = name.indexOf('[');
  if (open < 0) return [name];
  const close = name.indexOf(']', open);
  if (close < 0) throw new HostRangeError(`unclosed '[' in host range '${name}'`);
  const head = name.slice(0, open);
  const values = rangeValues(name.slice(open + 1, close), name);
  const tails = expandHostRange(name.slice(close + 1));
  if (values.length * tails.length > MAX_RANGE_HOSTS) {
    throw new HostRangeError(`host range '${name}' expands to more than ${MAX_RANGE_HOSTS} hosts`);
  }
  const names: string[] = [];
  for (const value of values) for (const tail of tails) names.push(head + value + tail);
  return names;
}

function rangeValues(spec: string, name: string): string[] {
  const bounds = spec.split(':');
  if (bounds.length !== 2 && bounds.length !== 3) {
    throw new HostRangeError(`host range '[${spec}]' in '${name}' must be [begin:end] or [begin:end:step]`);
  }
  const [begin = '', end = '', stepText = '1'] = bounds;
  if (!end) throw new HostRangeError(`host range '[${spec}]' in '${name}' has no end value`);
  if (!DIGITS.test(stepText) || Number(stepText) === 0) {
    throw new HostRangeError(`host range '[${spec}]' in '${name}' has a step that is not a positive integer`);
  }
  const step = Number(stepText);
  const start = begin || '0';
  if (LETTERS.includes(start) && start.length === 1 && LETTERS.includes(end) && end.length === 1) {
    return letterRange(start, end, step, spec, name);
  }
  if (!DIGITS.test(start) || !DIGITS.test(end)) {
    throw new HostRangeError(
      `host range '[${spec}]' in '${name}' must have two numbers or two single letters as bounds`,
    );
  }
  return numberRange(start, end, step, spec, name);
}

function letterRange(start: string, end: string, step: number, spec: string, name: string): string[] {
  const from = LETTERS.indexOf(start);
  const to = LETTERS.indexOf(end);
  if (from > to) throw new HostRangeError(`host range '[${spec}]' in '${name}' has its begin after its end`);
  const letters: string[] = [];
  for (let i = from; i <= to; i += step) letters.push(LETTERS[i]!);
  return letters;
}

function numberRange(start: string, end: string, step: number, spec: string, name: string): string[] {
  // A leading zero asks for zero padding to the width of the bounds, which must then agree.
  const width = start.length > 1 && start.startsWith('0') ? start.length : 0;
  if (width && end.length !== width) {
    throw new HostRangeError(
      `host range '[${spec}]' in '${name}' is zero-padded, so its begin and end must have the same length`,
    );
  }
  const from = Number(start);
  const to = Number(end);
  if (from > to) throw new HostRangeError(`host range '[${spec}]' in '${name}' has its begin after its end`);
  if ((to - from) / step >= MAX_RANGE_HOSTS) {
    throw new HostRangeError(`host range '[${spec}]' in '${name}' expands to more than ${MAX_RANGE_HOSTS} hosts`);
  }
  const values: string[] = [];
  for (let i = from; i <= to; i += step) values.push(String(i).padStart(width, '0'));
  return values;
}
