import { literalEval as pythonLiteralEval, PythonLiteralError, toJsonValue } from '../python-literal.js';
import type { LiteralConversion } from '../python-literal.js';
import type { PyValue } from '../python-syntax.js';
import { JinjaError } from './errors.js';

/** Ansible's Json2Python: JSON's names read as Python's constants in a template's result. */
const JSON_NAMES: Readonly<Record<string, PyValue>> = {
  true: { type: 'bool', value: true },
  false: { type: 'bool', value: false },
  null: { type: 'none' },
};

/**
 * What Ansible's templating does with a rendered "[1, 'a']": Python's
 * ast.literal_eval (the INI reader's, with JSON's true/false/null as
 * Json2Python allows) turns it back into a value. Strings, numbers,
 * True/False/None, lists, tuples and sets (both as lists) and dicts; anything
 * else (names, calls, operators) is not a literal, and the text stays as it
 * is. A list as a dict key is Python's TypeError: a JinjaError, as Ansible
 * fails the value.
 */
export function literalEval(text: string): { value: unknown } | undefined {
  let literal;
  try {
    literal = pythonLiteralEval(text, JSON_NAMES);
  } catch (error) {
    // Python's TypeError (a list as a dict key): Ansible does not catch it, and the value fails.
    if (error instanceof PythonLiteralError) throw new JinjaError(error.message);
    throw error;
  }
  if (!literal || literal.namedEscape) return undefined;
  try {
    return { value: toJsonValue(literal.value, literal.offset, TEMPLATE_VALUE) };
  } catch (error) {
    if (error === NOT_A_TEMPLATE_VALUE) return undefined;
    throw error;
  }
}

/** Thrown (without a stack) for a value no template result becomes: the text stays. */
const NOT_A_TEMPLATE_VALUE = Symbol('not a template value');

/** What `ansible -m debug` shows of a rendered literal; tuples and sets are lists (JSON has neither). */
const TEMPLATE_VALUE: LiteralConversion = {
  refuse: () => {
    throw NOT_A_TEMPLATE_VALUE;
  },
  key: (key) => templateKey(key),
  set: (items) => items,
  bytes: (value) => String.fromCharCode(...value),
};

/** Python's str() of a key, as the rendered value's dict keys come out. */
function templateKey(key: PyValue): string {
  switch (key.type) {
    case 'str':
      return key.value;
    case 'bool':
      return key.value ? 'True' : 'False';
    case 'none':
      return 'None';
    case 'int':
    case 'float':
      return String(key.value);
    default:
      throw NOT_A_TEMPLATE_VALUE;
  }
}
