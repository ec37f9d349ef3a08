import { shellQuote } from '../shell-quote.js';
import { FileError } from '../ssh/errors.js';
import type { ExecutionContext } from './executor.js';
import { SILENT } from './executor.js';
import { commandTask } from './task.js';

/** Paths per command line, well under any ARG_MAX. */
const PATHS_PER_COMMAND = 200;
/** A sha256sum line is 64 hex digits, two spaces and a path (at most PATH_MAX). */
const OUTPUT_BYTES = PATHS_PER_COMMAND * (67 + 4096);

/**
 * The SHA-256 of each file, as the host's `sha256sum` prints it: OpenSSH's
 * sftp-server has no hash extension, so it is a command on the same session.
 * Files it could not read (or a host without sha256sum) are missing from the map,
 * so they are sent again.
 */
export async function remoteSha256(context: ExecutionContext, paths: readonly string[]): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for (let start = 0; start < paths.length; start += PATHS_PER_COMMAND) {
    const batch = paths.slice(start, start + PATHS_PER_COMMAND);
    const outcome = await context.execute(commandTask(`sha256sum -- ${batch.map(shellQuote).join(' ')}`, { maxOutputBytes: OUTPUT_BYTES }), { live: SILENT });
    for (const [path, hash] of parseSha256sum(outcome.stdout)) hashes.set(path, hash);
  }
  return hashes;
}

/** sha256sum's lines: `HASH  PATH`, or `\HASH  PATH` with `\\` and `\n` escaped in PATH. */
export function parseSha256sum(text: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const line of text.split('\n')) {
    const match = /^(\\?)([0-9a-f]{64}) [ *](.*)$/.exec(line);
    if (!match) continue;
    const path = match[1] ? match[3]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)) : match[3]!;
    pairs.push([path, match[2]!]);
  }
  return pairs;
}

/**
 * chown, then chmod, the paths on the host, as command steps on the same session
 * (so that a privilege wrapper can wrap them); a step that fails is each of its
 * paths' FILE_ATTRIBUTES_FAILED.
 */
export async function setOwnerAndMode(context: ExecutionContext, paths: readonly string[], owner: string | undefined, mode: string | undefined): Promise<FileError[]> {
  const failures: FileError[] = [];
  const steps = [...(owner === undefined ? [] : [['chown', owner]]), ...(mode === undefined ? [] : [['chmod', mode]])];
  for (const [tool, value] of steps) {
    for (let start = 0; start < paths.length; start += PATHS_PER_COMMAND) {
      const batch = paths.slice(start, start + PATHS_PER_COMMAND);
      const command = `${tool} -- ${shellQuote(value!)} ${batch.map(shellQuote).join(' ')}`;
      const outcome = await context.execute(commandTask(command, { maxOutputBytes: 64 * 1024 }), { live: SILENT });
      if (outcome.status === 'ok') continue;
      const why = outcome.error ? `${outcome.error.code}: ${outcome.error.message}` : outcome.stderr.trim() || `exit code ${String(outcome.exitCode ?? outcome.signal)}`;
      for (const path of batch) failures.push(new FileError('FILE_ATTRIBUTES_FAILED', path, `${context.session.label}: ${tool} ${value} ${JSON.stringify(path)} failed: ${why}`));
    }
  }
  return failures;
}
