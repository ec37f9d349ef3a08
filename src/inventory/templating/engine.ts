import { createRequire } from 'node:module';
import { templateCompiler } from './compiler.js';
import type { CompiledTemplate, NunjucksInternals } from './compiler.js';
import { JinjaError } from './errors.js';
import { literalEval } from './literal-eval.js';
import { RENDER_STATE, runtime } from './runtime.js';
import type { RenderState, VariableSource } from './runtime.js';

// nunjucks costs ~40 ms to load: only a value that looks like a template loads it.
const load = createRequire(import.meta.url);
let compile: ((source: string) => CompiledTemplate) | undefined;

/** Each distinct template is compiled once; an inventory has a bounded number, but a long-lived process may read many. */
const MAX_CACHED = 10_000;
const compiled = new Map<string, CompiledTemplate>();

function compiler(): (source: string) => CompiledTemplate {
  if (!compile) {
    const nunjucks = load('nunjucks') as NunjucksInternals & { Environment: new (loaders: null, options: object) => object };
    // dev: errors keep their cause, so an undefined variable is told apart from a syntax error.
    const environment = Object.assign(new nunjucks.Environment(null, { autoescape: false, dev: true }), { py: runtime });
    compile = templateCompiler(nunjucks, environment);
  }
  return compile;
}

function template(source: string): CompiledTemplate {
  let found = compiled.get(source);
  if (!found) {
    try {
      found = compiler()(source);
    } catch (error) {
      throw syntaxError(error);
    }
    if (compiled.size >= MAX_CACHED) compiled.clear();
    compiled.set(source, found);
  }
  return found;
}

/**
 * Renders one template string as Ansible 2.14 does without jinja2_native
 * (ansible_eval_concat): the output is text, unless it reads as a list, a
 * dict, True or False (Python literal syntax), which it is turned back into;
 * a template that is only the result of `string`, `to_json` and the like
 * stays text. Errors are the cause the engine failed on: UndefinedError,
 * JinjaError, or whatever a variable lookup threw.
 */
export function renderTemplate(source: string, variables: VariableSource): unknown {
  const compiledTemplate = template(source);
  const state: RenderState = { variables, nodes: 0, textNode: false };
  let output: string;
  try {
    output = compiledTemplate.render({ [RENDER_STATE]: state });
  } catch (error) {
    throw rootCause(error);
  }
  if (state.nodes === 1 && state.textNode) return output;
  if (output.startsWith('{') || output.startsWith('[') || output === 'True' || output === 'False') {
    const literal = literalEval(output);
    if (literal) return literal.value;
  }
  return output;
}

/** nunjucks wraps what a template throws (once per nested render): the innermost cause is the failure. */
function rootCause(error: unknown): unknown {
  let cause = error;
  while (isWrapper(cause)) cause = (cause as { cause: unknown }).cause;
  return cause instanceof Error && cause.name === 'Template render error' ? new JinjaError(cleanMessage(cause.message)) : cause;
}

function isWrapper(error: unknown): boolean {
  return error instanceof Error && error.name === 'Template render error' && (error as { cause?: unknown }).cause instanceof Error;
}

/**
 * The parser's message and place, without quoting the template: a value may
 * hold a secret around its `{{ }}`, so only tokens made of punctuation
 * (`}}`, `)`, `|`) are named.
 */
function syntaxError(error: unknown): JinjaError {
  const { message, lineno, colno } = error as { message: string; lineno?: number; colno?: number };
  const where = lineno === undefined ? '' : ` (line ${lineno}${colno === undefined ? '' : `, column ${colno}`} of the value)`;
  return new JinjaError(`template syntax error: ${cleanMessage(message)}${where}`);
}

/** Tokens that are safe to name: punctuation, or the end of the value. */
const SHOWN_TOKEN = /^(?:[^\w\s'"]{1,3}|end of file)$/;

function cleanMessage(message: string): string {
  const reason = message.replace(/^\(unknown path\)(?: \[Line \d+, Column \d+\])?\s*/, '').replace(/^Template render error:\s*/, '').trim();
  const token = /(?:unexpected token: |, got )(.*)$/.exec(reason);
  if (!token || SHOWN_TOKEN.test(token[1]!)) return reason;
  // "unexpected token: X" becomes "unexpected token", "expected X, got Y" becomes "expected X".
  return reason.slice(0, token.index) + (token.index === 0 ? 'unexpected token' : '');
}
