import { readFile, rm, stat } from 'node:fs/promises';

/** What became of sshpool's `--results` file during one run. */
export interface ResultsFileCheck {
  /** How many distinct files were renamed into place at the path while the run went on (2: at the start and the end). */
  writes: number;
  /** The journal's largest size seen (bytes): records are appended there, once each. */
  journalBytesMax: number;
  /** The final file's size (bytes). */
  bytes: number;
  /** Records in the final file, and whether it says the run completed. */
  records: number;
  complete: boolean;
}

const POLL_MS = 100;

/**
 * Watches the results file while a run goes on: every atomic rewrite renames
 * a new file (a new inode) into place, so the inodes seen count the rewrites.
 * A writer that rewrote the whole file as hosts finish (quadratic in the hosts)
 * would show one per throttle interval; sshpool's journal should show two.
 */
export function watchResultsFile(path: string): { stop(): Promise<ResultsFileCheck> } {
  const inodes = new Set<number>();
  let journalBytesMax = 0;
  let polling = Promise.resolve();
  const poll = async (): Promise<void> => {
    const [file, journal] = await Promise.all([stat(path).catch(() => undefined), stat(`${path}.journal`).catch(() => undefined)]);
    if (file) inodes.add(file.ino);
    if (journal) journalBytesMax = Math.max(journalBytesMax, journal.size);
  };
  const timer = setInterval(() => {
    polling = polling.then(poll);
  }, POLL_MS);
  return {
    async stop(): Promise<ResultsFileCheck> {
      clearInterval(timer);
      await polling;
      await poll();
      const text = await readFile(path, 'utf8');
      const document = JSON.parse(text) as { complete: boolean; results: unknown[] };
      await rm(path, { force: true });
      return { writes: inodes.size, journalBytesMax, bytes: Buffer.byteLength(text), records: document.results.length, complete: document.complete };
    },
  };
}
