import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { xdgDirectory } from '../../xdg-directory.js';

/** Lines kept, as bash's HISTSIZE default. */
export const HISTORY_SIZE = 500;

/** `${XDG_STATE_HOME:-~/.local/state}/sshpool/history`: where the XDG base directory spec keeps history; undefined without a home (no history kept). */
export function historyPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const state = xdgDirectory('state', env);
  return state === undefined ? undefined : path.join(state, 'history');
}

/** The history file's lines, newest first (as readline holds them); none when there is no file yet. */
export async function loadHistory(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text.split('\n').filter((line) => line !== '').slice(-HISTORY_SIZE).reverse();
}

/**
 * Writes readline's history (newest first) oldest first, one line each. The
 * file is the user's alone (0600), as commands typed may name what others
 * should not read.
 */
export async function saveHistory(file: string, newestFirst: readonly string[]): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const lines = newestFirst.slice(0, HISTORY_SIZE).reverse();
  await writeFile(file, lines.map((line) => `${line}\n`).join(''), { mode: 0o600 });
}
