import type { VariableOrigin } from '../inventory-data.js';
import { pythonRepr } from '../python-repr.js';

/** A variable through which an undefined value was reached: the message names each one and where it was set. */
export interface UndefinedStep {
  readonly name: string;
  readonly origin?: VariableOrigin;
}

/**
 * Jinja's StrictUndefined as Ansible's AnsibleUndefined: attribute and item
 * access give the same Undefined back (the first failure is the one reported),
 * `is defined` and `default` see it, and any other use (output, arithmetic,
 * comparison, truth, iteration, most filters) raises UndefinedError.
 */
export class Undefined {
  constructor(
    readonly message: string,
    readonly via: readonly UndefinedStep[] = [],
  ) {}

  /** The same failure, reached through one more variable (the outer one first). */
  through(step: UndefinedStep): Undefined {
    return new Undefined(this.message, [step, ...this.via]);
  }

  fail(): never {
    throw new UndefinedError(this);
  }

  /** Any JavaScript operator on it is a use, as in Jinja. */
  [Symbol.toPrimitive](): never {
    return this.fail();
  }
}

export class UndefinedError extends Error {
  constructor(readonly undefinedValue: Undefined) {
    super(undefinedValue.message);
  }
}

/** Jinja's message for a name that is not defined: `'x' is undefined`, the name quoted as Python's repr() quotes it. */
export function undefinedVariable(name: string): Undefined {
  return new Undefined(`${pythonRepr(name)} is undefined`);
}
