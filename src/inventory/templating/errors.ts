import { InventoryError } from '../errors.js';
import type { VariableOrigin } from '../inventory-data.js';
import type { UndefinedStep } from './undefined.js';

/**
 * What Jinja raises while compiling or rendering (a syntax error, a type
 * error, an unknown filter, a recursive loop): the template cannot be
 * evaluated. Messages name types and variables, never values.
 */
export class JinjaError extends Error {}

/** The codes of HostVariableError: a template that cannot be evaluated, or a vault value that cannot be decrypted. */
export type HostVariableErrorCode = 'INVENTORY_TEMPLATE' | 'INVENTORY_VAULT';

/**
 * One host's variable cannot be used: its template cannot be evaluated
 * (INVENTORY_TEMPLATE) or a `!vault` value it needs cannot be decrypted
 * (INVENTORY_VAULT). That host fails before connecting; other hosts go on.
 * The message leads with where the variable was set, and names each variable
 * the failure was reached through.
 */
export class HostVariableError extends InventoryError {
  /** Which of the two failures it is. */
  declare readonly code: HostVariableErrorCode;
  /** The inventory name of the host that needed the variable. */
  readonly host: string;
  /** The variable the host needed (not the one deeper in the chain that failed: the message names those). */
  readonly variable: string;

  constructor(
    code: HostVariableErrorCode,
    where: { host: string; variable: string; origin?: VariableOrigin; via?: readonly UndefinedStep[] },
    reason: string,
    options?: { cause?: unknown },
  ) {
    const { file, line, column } = where.origin ?? {};
    super(code, `host '${where.host}': ${where.variable}: ${reason}${through(where.via ?? [])}`, { file, line, column }, options);
    this.host = where.host;
    this.variable = where.variable;
  }
}

/** At most six steps are named: the first three and the last two. */
function through(via: readonly UndefinedStep[]): string {
  if (via.length === 0) return '';
  const shown = via.length > 6 ? [...via.slice(0, 3), undefined, ...via.slice(-2)] : via;
  const steps = shown.map((step) => (step === undefined ? `${via.length - 5} more` : step.origin ? `${step.name} (${place(step.origin)})` : step.name));
  return ` (through ${steps.join(', ')})`;
}

function place({ file, line, column }: VariableOrigin): string {
  return line === undefined ? file : `${file}:${line}${column === undefined ? '' : `:${column}`}`;
}
