import { InputError } from '../errors.js';
import type { HostVariables } from '../inventory/index.js';
import { HostVariableError } from '../inventory/index.js';
import { pythonStr } from '../inventory/python-repr.js';
import { posix } from 'node:path';
import type { CommandTask, CopyTask, FetchTask, HostTask, ScriptTask } from '../tasks/index.js';

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
  return withExpressions(command, (expression) => `(${expression}) | quote`);
}

/** The template for a value that no shell reads (a script's argument, a remote path): `| raw` means nothing more there. */
function plainTemplate(text: string): string {
  return withExpressions(text, (expression) => expression);
}

/** Each `{{ expr }}` of `text` as `{{ decorate(expr) }}`, or as `{{ expr }}` when written `{{ expr | raw }}`. */
function withExpressions(command: string, decorate: (expression: string) => string): string {
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
    const expression = raw ? inner.slice(0, raw.index).trim() : decorate(inner);
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

/**
 * The host's own copies of `tasks`, their host-specific text rendered with its
 * vars (the inventory's templating engine and scope: `inventory_hostname`, group
 * vars, `hostvars`): a command's line (each value shell-quoted), a script's
 * arguments, a copy's remote target, a fetch's remote paths. Text outside
 * `{{ }}` stays as written; other kinds pass through.
 * @throws CommandTemplateError naming the host, and for COMMAND_UNDEFINED the variable.
 */
export function renderCommandTasks(tasks: readonly HostTask[], host: string, variables: HostVariables): HostTask[] {
  const plain = (text: string, what: string): string => (text.includes('{') ? render(plainTemplate(text), host, variables, what) : text);
  return tasks.map((task) => {
    switch (task.kind) {
      case 'command': {
        const command = task as CommandTask;
        const line = command.command;
        return line.includes('{') ? ({ ...command, command: render(shellQuotingTemplate(line), host, variables, 'the command') } satisfies CommandTask) : task;
      }
      case 'script': {
        const script = task as ScriptTask;
        return { ...script, args: script.args.map((arg) => plain(arg, 'the script\'s arguments')) } satisfies ScriptTask;
      }
      case 'copy': {
        const copy = task as CopyTask;
        return { ...copy, remote: plain(copy.remote, 'the remote path') } satisfies CopyTask;
      }
      case 'fetch': {
        const fetch = task as FetchTask;
        const remotes = fetch.remotes.map((remote) => plain(remote, 'the remote path'));
        for (const remote of remotes) {
          // Checked again once rendered: a host's var must not climb out of its own directory either.
          if (remote === '' || posix.normalize(remote).split('/').includes('..')) {
            throw new CommandTemplateError('COMMAND_TEMPLATE', host, `the remote path renders to ${JSON.stringify(remote)}, empty or with a .. component`);
          }
        }
        return { ...fetch, remotes } satisfies FetchTask;
      }
      default:
        return task;
    }
  });
}

function render(template: string, host: string, variables: HostVariables, what: string): string {
  let rendered: unknown;
  try {
    rendered = variables.template(template, what);
  } catch (error) {
    if (!(error instanceof HostVariableError)) throw error;
    const reason = error.message.replace(/^host '[^']*': [^:]*: /, '');
    const undefinedName = /^'([^']+)' is undefined/.exec(reason)?.[1];
    if (undefinedName !== undefined) throw new CommandTemplateError('COMMAND_UNDEFINED', host, `${what} uses ${undefinedName}, which is undefined for this host`, { cause: error });
    throw new CommandTemplateError('COMMAND_TEMPLATE', host, `${what} cannot be rendered: ${reason}`, { cause: error });
  }
  // A command that is one `{{ list | raw }}` renders to a list: written as Jinja prints it.
  return typeof rendered === 'string' ? rendered : pythonStr(rendered);
}
