import { openSync, writeSync } from 'node:fs';
import tty from 'node:tty';
import { SshpoolError } from '../errors.js';

export type PromptErrorCode = 'NO_TTY' | 'PROMPT_CANCELLED';

export class PromptError extends SshpoolError {
  declare readonly code: PromptErrorCode;

  constructor(code: PromptErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Prompts share the one terminal, so they take turns. */
let turn: Promise<unknown> = Promise.resolve();

/** Told when a prompt takes the terminal and when it gives it back. */
export interface PromptWatcher {
  promptStart(): void;
  promptEnd(): void;
}

const watchers = new Set<PromptWatcher>();

/**
 * Calls `watcher` around every prompt from now on, e.g. to keep a progress
 * line off the terminal while the prompt waits there; returns the way to stop.
 */
export function watchPrompts(watcher: PromptWatcher): () => void {
  watchers.add(watcher);
  return () => watchers.delete(watcher);
}

/**
 * Reads a secret from the controlling terminal (/dev/tty, as ssh does, so it works
 * with stdin redirected) without echo. Never from argv or the environment.
 */
export function promptHidden(prompt: string): Promise<string> {
  const answer = turn.then(() => readFromTerminal(prompt));
  turn = answer.catch(() => undefined);
  return answer;
}

function readFromTerminal(prompt: string): Promise<string> {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch (error) {
    return Promise.reject(new PromptError('NO_TTY', `No terminal to ask on (${prompt.trim()}); run sshpool from a terminal or use an ssh agent`, { cause: error }));
  }
  const input = new tty.ReadStream(fd);
  input.setRawMode(true);
  for (const watcher of watchers) watcher.promptStart();
  writeSync(fd, prompt);
  return new Promise<string>((resolve, reject) => {
    let secret = '';
    const finish = (error?: PromptError) => {
      input.off('data', onData);
      input.setRawMode(false);
      writeSync(fd, '\n');
      input.destroy();
      for (const watcher of watchers) watcher.promptEnd();
      if (error) reject(error);
      else resolve(secret);
    };
    const onData = (chunk: Buffer) => {
      for (const character of chunk.toString('utf8')) {
        if (character === '\r' || character === '\n') return finish();
        if (character === '\u0003' || (character === '\u0004' && secret === '')) {
          return finish(new PromptError('PROMPT_CANCELLED', `Cancelled at: ${prompt.trim()}`));
        }
        if (character === '\u007f' || character === '\b') secret = secret.slice(0, -1);
        else if (character === '\u0015') secret = '';
        else secret += character;
      }
    };
    input.on('data', onData);
  });
}
