import { randomBytes } from 'node:crypto';
import type { BecomeSettings } from '../inventory/index.js';
import type { CommandDialog, DialogReply, OutputStreamName } from '../ssh/remote-command.js';
import { BecomeError } from './errors.js';
import { shellQuote } from './shell-quote.js';

/** A command line in its become'd form, with what the command executor needs to run it. */
export interface BecomeCommand {
  /** The line to send: the become program around `/bin/sh -c`, printing a success marker first. */
  command: string;
  /** su and doas read a password from a terminal only: true when one is to be sent to them. */
  pty: boolean;
  /** Answers the prompt with the password, holds the output back until the marker, fails BECOME_FAILED. */
  dialog: CommandDialog;
}

/** Output kept while waiting for the prompt or the marker: enough for sudo's lecture and its messages. */
const HELD_BYTES = 16 * 1024;

/** su's prompt in the languages Ansible's su plugin knows (SU_PROMPT_LOCALIZATIONS, the common ones), at a line's start. */
const SU_PROMPT = /(?:^|\n)(?:\w+'s )?(?:Password|Passwort|Mot de passe|Contraseña|Senha|Пароль|密码|パスワード) ?[:：] ?$/iu;
/** doas asks `doas (user@host) password: `. */
const DOAS_PROMPT = /doas \([^)]*\) password: ?$/u;

/**
 * Turns `command` into the form that runs it as `become.user` (default root)
 * through `become.method` (default sudo), as Ansible's become plugins build it:
 * the command runs under `/bin/sh -c`, after an echo of a success marker that
 * is unique to this call, and sudo is given a prompt unique to this call too
 * (`-p '[sshpool-become-ID] password: '`), so that neither can be mistaken for
 * ordinary output. The password, if any, never appears in the line: the
 * dialog sends it on stdin when the prompt asks for it. Any command step can
 * be wrapped so (a copy's chown/chmod as well as `run`'s commands).
 */
export function becomeCommand(command: string, become: BecomeSettings, label: string): BecomeCommand {
  const id = randomBytes(16).toString('hex');
  const marker = `SSHPOOL-BECOME-OK-${id}`;
  const user = become.user ?? 'root';
  const method = become.method ?? 'sudo';
  const password = become.password?.reveal();
  const inner = `/bin/sh -c ${shellQuote(`echo ${marker}; ${command}`)}`;
  const asked = password !== undefined && password !== '';
  let line: string;
  let prompt: (text: string) => boolean;
  if (method === 'su') {
    line = words(become.exe ?? 'su', become.flags ?? '', shellQuote(user), '-c', shellQuote(inner));
    prompt = (text) => SU_PROMPT.test(text);
  } else if (method === 'doas') {
    line = words(become.exe ?? 'doas', become.flags ?? (asked ? '' : '-n'), '-u', shellQuote(user), inner);
    prompt = (text) => DOAS_PROMPT.test(text);
  } else {
    const sudoPrompt = `[sshpool-become-${id}] password:`;
    line = words(become.exe ?? 'sudo', sudoFlags(become.flags, asked), asked ? `-p ${shellQuote(`${sudoPrompt} `)}` : '', '-u', shellQuote(user), inner);
    prompt = (text) => text.includes(sudoPrompt);
  }
  const what = `${label}: become ${user} through ${method}`;
  return { command: line, pty: asked && method !== 'sudo', dialog: new BecomeDialog(marker, prompt, asked ? password : undefined, what) };
}

function words(...parts: string[]): string {
  return parts.filter((part) => part !== '').join(' ');
}

/**
 * Ansible's defaults, `-H -S -n`: a home of the new user's, the password read
 * from stdin, and never a prompt when there is no password to answer it, so a
 * sudo rule that wants one fails at once instead of waiting. With a password,
 * `-n` is taken out of the flags, as Ansible's sudo plugin does.
 */
function sudoFlags(flags: string | undefined, asked: boolean): string {
  const given = (flags ?? '-H -S -n').split(/\s+/u).filter((flag) => flag !== '');
  if (!asked) return given.join(' ');
  return given
    .filter((flag) => flag !== '-n' && flag !== '--non-interactive')
    .map((flag) => (flag.startsWith('--') ? flag : flag.replace(/^(-\w*)n(\w*)$/u, '$1$2')))
    .filter((flag) => flag !== '-')
    .join(' ');
}

/**
 * Until the marker line comes, output is held (a bounded tail) and watched for
 * the prompt: the first one is answered with the password, a second one means
 * the password was refused. The command ending first means become failed.
 */
class BecomeDialog implements CommandDialog {
  private held: Record<OutputStreamName, Buffer> = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
  private sent = false;
  private failed = false;

  constructor(
    private readonly marker: string,
    private readonly isPrompt: (text: string) => boolean,
    private readonly password: string | undefined,
    private readonly what: string,
  ) {}

  output(stream: OutputStreamName, chunk: Buffer, reply: DialogReply): Buffer {
    if (this.failed) return Buffer.alloc(0);
    const held = Buffer.concat([this.held[stream], chunk]);
    const at = stream === 'stdout' ? held.indexOf(this.marker) : -1;
    if (at !== -1) {
      const lineEnd = held.indexOf(0x0a, at);
      if (lineEnd === -1) {
        this.held[stream] = held;
        return Buffer.alloc(0);
      }
      reply.ready();
      return held.subarray(lineEnd + 1);
    }
    this.held[stream] = held.length > HELD_BYTES ? held.subarray(held.length - HELD_BYTES) : held;
    const text = this.held[stream].toString('utf8');
    if (!this.isPrompt(text.replace(/\r/gu, ''))) return Buffer.alloc(0);
    this.held[stream] = Buffer.alloc(0);
    if (this.password === undefined) return this.fail(reply, 'it asks for a password: give --ask-become-pass (-K) or ansible_become_password');
    if (this.sent) return this.fail(reply, 'the password was refused');
    this.sent = true;
    reply.send(`${this.password}\n`);
    return Buffer.alloc(0);
  }

  ended(): BecomeError {
    // A terminal that echoed the password would have it in what was held: it is no part of the message.
    const held = Buffer.concat([this.held.stderr, this.held.stdout]).toString('utf8');
    const said = lastLine(this.password ? held.replaceAll(this.password, '') : held);
    const why = this.sent ? 'the password was not accepted' : 'it ended before the command started';
    return new BecomeError(`${this.what} failed: ${why}${said ? ` (${said})` : ''}`);
  }

  private fail(reply: DialogReply, why: string): Buffer {
    this.failed = true;
    reply.fail(new BecomeError(`${this.what} failed: ${why}`));
    return Buffer.alloc(0);
  }
}

/** The remote's last words, as plain printable text (it is untrusted) and short. */
function lastLine(text: string): string {
  const lines = text.split(/\r?\n/u).map((line) => line.trim()).filter((line) => line !== '');
  return (lines.at(-1) ?? '').replace(/[^\x20-\x7e]/gu, '?').slice(0, 200);
}
