import { JinjaError } from './errors.js';
import { runFilter } from './filters.js';
import { GLOBALS } from './globals.js';
import { getAttribute, getItem, getSlice } from './members.js';
import { arithmetic, compare, defined, iterate, negate, toText, truthy } from './python.js';
import type { ArithmeticOperator, ComparisonOperator } from './python.js';
import { contains, runTest } from './tests.js';
import { Undefined, undefinedVariable } from './undefined.js';

/** Where a template reads its variables: undefined (JavaScript's) when the name is not a variable at all. */
export interface VariableSource {
  lookup(name: string): unknown;
}

/** One rendering: its variables, and what Ansible's concat needs to know about the output. */
export interface RenderState {
  readonly variables: VariableSource;
  /** Output pieces (text and expressions), as Jinja's root render function yields them. */
  nodes: number;
  /** The last expression was the result of a filter such as `string` or `to_json`. */
  textNode: boolean;
}

/** The key of the render state in the context nunjucks is given; a template cannot name it (its names go to VariableSource). */
export const RENDER_STATE = '__ansible_render_state__';

interface NunjucksContext {
  ctx: Record<string, unknown>;
}

interface NunjucksFrame {
  lookup(name: string): unknown;
}

function state(context: NunjucksContext): RenderState {
  return context.ctx[RENDER_STATE] as RenderState;
}

/**
 * What the compiled templates call (as `env.py.*`) wherever Jinja's and
 * JavaScript's semantics differ: names, attribute access, calls, filters,
 * tests, operators, truth, iteration and output. See compiler.ts.
 */
export const runtime = {
  name(context: NunjucksContext, frame: NunjucksFrame, name: string): unknown {
    const local = frame.lookup(name);
    if (local !== undefined) return local;
    const variable = state(context).variables.lookup(name);
    if (variable !== undefined) return variable;
    return Object.hasOwn(GLOBALS, name) ? GLOBALS[name] : undefinedVariable(name);
  },
  attribute: getAttribute,
  item: getItem,
  slice: getSlice,
  call(callee: unknown, args: unknown[], shown: string): unknown {
    defined(callee);
    if (typeof callee !== 'function') throw new JinjaError(`'${shown}' is not callable`);
    return callee(...args);
  },
  filter: (name: string, args: unknown[]) => runFilter(name, args),
  test: (name: string, args: unknown[]) => runTest(name, args),
  contains: (container: unknown, item: unknown) => contains(container, item),
  truthy,
  noElse: () => new Undefined('the inline if-expression evaluated to false and no else section was defined'),
  arithmetic: (operator: ArithmeticOperator, left: unknown, right: unknown) => arithmetic(operator, left, right),
  negate: (operator: '-' | '+', value: unknown) => negate(operator, value),
  concat: (left: unknown, right: unknown) => toText(left) + toText(right),
  /** `a < b < c` is `a < b and b < c`. */
  compare(first: unknown, ...rest: unknown[]): boolean {
    let left = first;
    for (let index = 0; index < rest.length; index += 2) {
      const right = rest[index + 1];
      if (!compare(rest[index] as ComparisonOperator, left, right)) return false;
      left = right;
    }
    return true;
  },
  /** A dict literal: Jinja's keys are expressions (`{name: 1}` uses the variable `name`). */
  dict(entries: Array<[unknown, unknown]>): Record<string, unknown> {
    return Object.fromEntries(entries.map(([key, value]) => [toText(defined(key)), value]));
  },
  /** `{% for x in value %}`: Python's iteration (a dict gives its keys). */
  iterable: (value: unknown) => [...iterate(value)],
  output(context: NunjucksContext, value: unknown, fromTextFilter: boolean): string {
    const render = state(context);
    render.nodes += 1;
    render.textNode = fromTextFilter;
    // Ansible's finalize: None prints as nothing.
    return value === null ? '' : toText(value);
  },
  data(context: NunjucksContext, text: string): string {
    state(context).nodes += 1;
    return text;
  },
};
