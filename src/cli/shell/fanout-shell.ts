import readline from 'node:readline';
import type { Inventory, InventoryHost } from '../../inventory/index.js';
import { InputError } from '../../errors.js';
import { HostSet } from '../../output/host-set.js';
import { escapeControlCharacters } from '../../output/untrusted-text.js';
import { numberOf, parsePositiveInteger } from '../../settings/values.js';
import { watchPrompts } from '../prompt.js';
import { HISTORY_SIZE, saveHistory } from './history.js';
import { runLine } from './line-run.js';
import type { LineRunContext, ShellOutputMode } from './line-run.js';

/** Where the shell reads lines and writes its prompt. */
export interface ShellTerminal {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream & { isTTY?: boolean };
}

/** What a shell starts with; `:limit`, `:forks`, `:gather` and `:stream` change it. */
export interface ShellStart {
  limit: string;
  forks: number;
  mode: ShellOutputMode;
  /** Undefined: history is not kept (no home). */
  historyFile: string | undefined;
  /** Newest first, as readline keeps it. */
  history: string[];
}

const PROMPT = 'sshpool> ';

const HELP = `Each line runs on every selected host. Built-ins:
  :limit PATTERN   select hosts with an Ansible pattern (:limit alone shows it)
  :hosts           the selected hosts
  :forks N         hosts worked on at once
  :gather          fold identical output under one host set once all answered (default)
  :stream          print each line as it arrives, host-prefixed
  :quit            leave (also Ctrl-D); Ctrl-C stops the running command on every host
`;

/**
 * clush's interactive mode over kept connections: each line typed runs on
 * every selected host; lines typed while one runs wait their turn. Ctrl-C
 * stops the running line (or clears the one being typed); Ctrl-D or `:quit` leaves.
 */
export class FanoutShell {
  private limit: string;
  private hosts: InventoryHost[];
  private forks: number;
  private mode: ShellOutputMode;
  private running: AbortController | undefined;

  constructor(
    private readonly inventory: Inventory,
    private readonly context: LineRunContext,
    private readonly terminal: ShellTerminal,
    private readonly start: ShellStart,
  ) {
    this.limit = start.limit;
    this.hosts = inventory.select(start.limit);
    this.forks = start.forks;
    this.mode = start.mode;
  }

  /** Reads and runs lines until `:quit` or the end of input. */
  async run(): Promise<void> {
    const rl = readline.createInterface({
      input: this.terminal.input,
      output: this.terminal.output,
      terminal: Boolean(this.terminal.input.isTTY && this.terminal.output.isTTY),
      history: this.start.history,
      historySize: HISTORY_SIZE,
      removeHistoryDuplicates: true,
      prompt: PROMPT,
    });
    const history = { saved: Promise.resolve() };
    const { historyFile } = this.start;
    if (historyFile !== undefined) {
      rl.on('history', (lines: string[]) => {
        history.saved = history.saved.then(() => saveHistory(historyFile, lines)).catch((error: Error) => this.say(`cannot write history ${historyFile}: ${error.message}`));
      });
    }
    const interrupt = () => this.interrupt(rl);
    rl.on('SIGINT', interrupt);
    process.on('SIGINT', interrupt);
    // A passphrase or password prompt reads the terminal itself: readline must not take its keys meanwhile.
    const unwatch = watchPrompts({ promptStart: () => rl.pause(), promptEnd: () => rl.resume() });
    this.say(`${this.hosts.length} hosts (${escapeControlCharacters(new HostSet(this.hosts.map((host) => host.name)).toString())}); :help for built-ins`);
    try {
      rl.prompt();
      for await (const line of rl) {
        if (!(await this.handle(line))) break;
        rl.prompt();
      }
    } finally {
      unwatch();
      process.off('SIGINT', interrupt);
      rl.close();
      await history.saved;
    }
  }

  /** One line: a built-in or a command for every host. False when the shell is to end. */
  private async handle(line: string): Promise<boolean> {
    const trimmed = line.trim();
    if (trimmed === '') return true;
    if (trimmed.startsWith(':')) return this.builtIn(trimmed);
    const controller = new AbortController();
    this.running = controller;
    try {
      await runLine(this.context, this.hosts, line, { forks: this.forks, mode: this.mode, signal: controller.signal });
    } catch (error) {
      this.say(escapeControlCharacters(error instanceof Error ? error.message : String(error)));
    } finally {
      this.running = undefined;
    }
    return true;
  }

  private builtIn(line: string): boolean {
    const [name = '', ...words] = line.split(/\s+/);
    const argument = words.join(' ');
    switch (name) {
      case ':quit':
      case ':q':
        return false;
      case ':help':
        this.terminal.output.write(HELP);
        return true;
      case ':hosts':
        this.say(`${escapeControlCharacters(new HostSet(this.hosts.map((host) => host.name)).toString())} (${this.hosts.length})`);
        return true;
      case ':gather':
      case ':stream':
        this.mode = name === ':gather' ? 'gather' : 'stream';
        this.say(this.mode === 'gather' ? 'output gathered by host set' : 'output streamed, host-prefixed');
        return true;
      case ':limit':
        if (argument !== '') this.select(argument);
        this.say(`limit ${escapeControlCharacters(this.limit)}: ${this.hosts.length} hosts`);
        return true;
      case ':forks':
        this.guard(() => {
          this.forks = parsePositiveInteger(numberOf(argument, ':forks'), ':forks');
        });
        this.say(`forks ${this.forks}`);
        return true;
      default:
        this.say(`unknown built-in ${escapeControlCharacters(name)}; :help lists them`);
        return true;
    }
  }

  /** A pattern that matches nothing (or does not parse) keeps the hosts there were, and says why. */
  private select(pattern: string): void {
    this.guard(() => {
      this.hosts = this.inventory.select(pattern);
      this.limit = pattern;
    });
  }

  private guard(change: () => void): void {
    try {
      change();
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      this.say(escapeControlCharacters(error.message));
    }
  }

  private interrupt(rl: readline.Interface): void {
    if (this.running) {
      if (!this.running.signal.aborted) this.say('interrupted: killing the command on every host');
      this.running.abort();
      return;
    }
    // At the prompt, as a shell does: drop what was typed and ask again.
    rl.write(null, { ctrl: true, name: 'u' });
    this.terminal.output.write('^C\n');
    rl.prompt();
  }

  private say(message: string): void {
    this.context.streams.stderr.write(`sshpool: ${message}\n`);
  }
}
