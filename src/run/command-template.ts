import { InputError } from '../errors.js';
import type { HostVariables } from '../inventory/index.js';
import { HostVariableError } from '../inventory/index.js';
import { pythonStr } from '../inventory/python-repr.js';
import type { HostTask } from '../tasks/index.js';

/** The codes of CommandTemplateError. */
export type CommandTemplateErrorCode = 'COMMAND_UNDEFINED' | 'COMMAND_TEMPLATE';

/**
 * A command's `{{ }}` cannot be rendered for one host (--vars): a variable it
 * names is undefined there (COMMAND_UNDEFINED, the message names it), or the
 * template fails otherwise (COMMAND_TEMPLATE). That host fails before
 * anything runs on it; the others go on.
 */
export class CommandTemplateError extends InputError<CommandTemplateErrorCode> {
  /** The host the command was rendered for. */
  readonly host: string;

  constructor(code: CommandTemplateErrorCode, host: string, message: string, options?: { cause?: unknown }) {
    super(code, `host '${host}': ${message}`, options);
    this.host = host;
  }
}

/**
 * The command template with every `{{ expr }}` quoted for the remote shell
 * (`{{ (expr) | quote }}`, Ansible's shlex.quote filter), and `{{ expr | raw }}`
 * left as the value is: a substituted value is one word by default, whatever
 * a host's vars hold. Strings inside the braces are skipped when looking for
 * their end; `{{-`/`-}}` keep their whitespace control.
 */
export function shellQuotingTemplate(command: string): string {
  let output = '';
  let index = 0;
  while (index < command.length) {
    const start = command.indexOf('{{', index);
    if (start === -1) break;
    const end = expressionEnd(command, start + 2);
    if (end === -1) break;
    output += command.slice(index, start);
    let inner = command.slice(start + 2, end);
    const trimLeft = inner.startsWith('-') ? '-' : '';
    const trimRight = inner.endsWith('-') ? '-' : '';
    inner = inner.slice(trimLeft.length, inner.length - trimRight.length).trim();
    const raw = /\|\s*raw\s*$/.exec(inner);
    const expression = raw ? inner.slice(0, raw.index).trim() : `(${inner}) | quote`;
    output += `{{${trimLeft} ${expression} ${trimRight}}}`;
    index = end + 2;
  }
  return output + command.slice(index);
}

/** Where the `}}` closing an expression opened before `from` is, strings skipped; -1 if none. */
function expressionEnd(text: string, from: number): number {
  let quote: string | undefined;
  for (let index = from; index < text.length; index++) {
    const character = text[index]!;
    if (quote) {
      if (character === '\\') index++;
      else if (character === quote) quote = undefined;
    } else if (character === '"' || character === "'") {
      quote = character;
    } else if (character === '}' && text[index + 1] === '}') {
      return index;
    }
  }
  return -1;
}

/** Whether a task is a command whose line can be templated (the others pass through as they are). */
function commandLineOf(task: HostTask): string | undefined {
  return task.kind === 'command' ? (task as HostTask & { command: string }).command : undefined;
}

/**
 * The host's own copies of `tasks`, each command line rendered with its vars
 * (the inventory's templating engine and scope: `inventory_hostname`, group
 * vars, `hostvars`). Text outside `{{ }}` stays as written.
 * @throws CommandTemplateError naming the host, and for COMMAND_UNDEFINED the variable.
 */
export function renderCommandTasks(tasks: readonly HostTask[], host: string, variables: HostVariables): HostTask[] {
  return tasks.map((task) => {
    const line = commandLineOf(task);
    if (line === undefined || !line.includes('{')) return task;
    return { ...task, command: renderLine(line, host, variables) };
  });
}

function renderLine(line: string, host: string, variables: HostVariables): string {
  let rendered: unknown;
  try {
    rendered = variables.template(shellQuotingTemplate(line), 'the command');
  } catch (error) {
    if (!(error instanceof HostVariableError)) throw error;
    const reason = error.message.replace(/^host '[^']*': the command: /, '');
    const undefinedName = /^'([^']+)' is undefined/.exec(reason)?.[1];
    if (undefinedName !== undefined) throw new CommandTemplateError('COMMAND_UNDEFINED', host, `the command uses ${undefinedName}, which is undefined for this host`, { cause: error });
    throw new CommandTemplateError('COMMAND_TEMPLATE', host, `the command cannot be rendered: ${reason}`, { cause: error });
  }
  // A command that is one `{{ list | raw }}` renders to a list: written as Jinja prints it.
  return typeof rendered === 'string' ? rendered : pythonStr(rendered);
}
