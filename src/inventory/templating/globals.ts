import { bindArguments } from './arguments.js';
import { JinjaError } from './errors.js';
import { defined, toText } from './python.js';
import { Undefined } from './undefined.js';

/** Jinja's range() stops here, as its sandbox's MAX_RANGE does, so a template cannot make a list of billions. */
const MAX_RANGE = 100_000;

function range(...args: unknown[]): number[] {
  const numbers = args.map((arg) => {
    defined(arg);
    if (typeof arg !== 'number' || !Number.isInteger(arg)) throw new JinjaError('range() takes integer arguments');
    return arg;
  });
  if (numbers.length < 1 || numbers.length > 3) throw new JinjaError(`range expected 1 to 3 arguments, got ${numbers.length}`);
  const [start, stop, step = 1] = numbers.length === 1 ? [0, numbers[0]!] : numbers;
  if (step === 0) throw new JinjaError('range() arg 3 must not be zero');
  const count = Math.max(0, Math.ceil((stop! - start!) / step));
  if (count > MAX_RANGE) throw new JinjaError(`range too big: ${count} items, at most ${MAX_RANGE}`);
  return Array.from({ length: count }, (_, index) => start! + index * step);
}

function dict(...args: unknown[]): Record<string, unknown> {
  const last = args[args.length - 1] as Record<string, unknown> | undefined;
  if (args.length !== 1 || last?.__keywords !== true) throw new JinjaError('dict() takes keyword arguments only here: dict(a=1, b=2)');
  return Object.fromEntries(Object.entries(last).filter(([key]) => key !== '__keywords'));
}

/**
 * Ansible's lookup() and query(), for the one lookup an inventory can use
 * without a play: `env` (missing variables give ''). Other lookups need
 * Ansible's plugins and a controller; they fail the template by name.
 */
function lookupValues(args: readonly unknown[]): string[] {
  const { values: [plugin], rest } = bindArguments('lookup', ['name'], args, { required: 1, rest: true });
  if (plugin !== 'env') throw new JinjaError(`lookup plugin '${toText(plugin)}' is not supported here (only 'env')`);
  return rest
    .filter((term) => (term as { __keywords?: unknown } | null)?.__keywords !== true)
    .map((term) => process.env[toText(defined(term))] ?? '');
}

export const GLOBALS: Readonly<Record<string, (...args: unknown[]) => unknown>> = {
  range,
  dict,
  lookup: (...args) => lookupValues(args).join(','),
  query: (...args) => lookupValues(args),
  q: (...args) => lookupValues(args),
  undef: (hint) => new Undefined(hint === undefined || hint === '' ? 'Mandatory variable has not been overridden' : toText(hint)),
};
