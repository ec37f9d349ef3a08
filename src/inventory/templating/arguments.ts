import { JinjaError } from './errors.js';

/** How nunjucks passes `f(a, key=b)`: the keyword arguments come last, as an object marked `__keywords`. */
interface KeywordArguments {
  readonly __keywords: true;
  readonly [name: string]: unknown;
}

function isKeywordArguments(value: unknown): value is KeywordArguments {
  return value !== null && typeof value === 'object' && (value as { __keywords?: unknown }).__keywords === true;
}

/**
 * Binds a call's arguments to parameter names as Python does: positional
 * first, then keywords; a parameter left out is `undefined` (never a template
 * value: a missing variable is an Undefined object). With `rest` (a Python
 * `*args, **kwargs` signature), the extra positional arguments and the keyword
 * object, left as it is, come back in `rest`.
 */
export function bindArguments(
  callee: string,
  parameters: readonly string[],
  args: readonly unknown[],
  options: { required?: number; rest?: boolean } = {},
): { values: unknown[]; rest: unknown[] } {
  const last = args[args.length - 1];
  const keywords = isKeywordArguments(last) ? last : undefined;
  const positional = keywords ? args.slice(0, -1) : args;
  const values = parameters.map((_, index) => positional[index]);
  const rest = positional.slice(parameters.length);
  if (options.rest) return { values: checkRequired(callee, parameters, values, options.required), rest: keywords ? [...rest, keywords] : rest };
  if (rest.length > 0) {
    throw new JinjaError(`${callee} takes at most ${parameters.length} argument${parameters.length === 1 ? '' : 's'} (${positional.length} given)`);
  }
  for (const [name, value] of Object.entries(keywords ?? {})) {
    if (name === '__keywords') continue;
    const index = parameters.indexOf(name);
    if (index < 0) throw new JinjaError(`${callee} got an unexpected keyword argument '${name}'`);
    if (values[index] !== undefined) throw new JinjaError(`${callee} got multiple values for argument '${name}'`);
    values[index] = value;
  }
  return { values: checkRequired(callee, parameters, values, options.required), rest };
}

function checkRequired(callee: string, parameters: readonly string[], values: unknown[], required = 0): unknown[] {
  const missing = parameters.slice(0, required).find((_, index) => values[index] === undefined);
  if (missing !== undefined) throw new JinjaError(`${callee} missing required argument '${missing}'`);
  return values;
}

/** Takes the named keyword arguments out of a `*args, **kwargs` rest; the positional ones stay. */
export function splitKeywords(callee: string, rest: readonly unknown[], names: readonly string[]): { values: unknown[]; positional: unknown[] } {
  const last = rest[rest.length - 1];
  const keywords = isKeywordArguments(last) ? last : undefined;
  return { values: bindArguments(callee, names, keywords ? [keywords] : []).values, positional: keywords ? rest.slice(0, -1) : [...rest] };
}
