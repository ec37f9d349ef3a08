import type { Inventory, InventoryHost } from '../../inventory/index.js';
import { writeGatheredRecords } from '../../output/gathered-output.js';
import { HostSet } from '../../output/host-set.js';
import { RecordStore } from '../../output/record-store.js';
import { TextOutput } from '../../output/text-output.js';
import type { TextOutputStreams } from '../../output/text-output.js';
import { escapeControlCharacters } from '../../output/untrusted-text.js';
import { HostPool } from '../../run/host-pool.js';
import type { SessionCache } from '../../session/session-cache.js';
import type { RunOptions } from '../../settings/run-options.js';

/** How a line's output is shown: folded by host set once every host answered (clush's default), or each line as it comes. */
export type ShellOutputMode = 'gather' | 'stream';

/** What every line of a shell runs with. */
export interface LineRunContext {
  inventory: Inventory;
  settings: RunOptions;
  /** The shell's connections: kept from line to line; a lost one is dropped by the cache and made again by the next line. */
  sessions: SessionCache;
  streams: TextOutputStreams;
}

/**
 * Runs one typed line on every host, `forks` at once, over the kept
 * connections, and shows it as `mode` says. Aborting `signal` (Ctrl-C) kills
 * the running commands as a timeout does (their records say ABORTED), starts
 * no more, and names the hosts that never started. Records are kept in a
 * RecordStore, so a line's output costs bounded memory at any number of hosts.
 */
export async function runLine(
  context: LineRunContext,
  hosts: readonly InventoryHost[],
  line: string,
  options: { forks: number; mode: ShellOutputMode; signal: AbortSignal },
): Promise<void> {
  const { streams } = context;
  // A pool per line, so that Ctrl-C can terminate this line's tasks; the connections are the shell's and outlive it.
  const pool = new HostPool({ size: options.forks, inventory: context.inventory, settings: context.settings, sessions: context.sessions });
  const text = new TextOutput(streams);
  if (options.mode === 'stream') pool.on('output', ({ host, stream, chunk }) => text.output(host, stream, chunk));
  const store = new RecordStore(hosts.map((host) => host.name));
  const notStarted: string[] = [];
  const stop = () => void pool.terminate();
  options.signal.addEventListener('abort', stop, { once: true });
  try {
    const answers = hosts.map((host) =>
      pool.applyAsync(host.name, line).get().then(
        (result) => {
          store.add(result);
          if (options.mode === 'stream') text.hostDone(result);
        },
        // The only rejection of a HostPool task is its being dropped before it started.
        () => notStarted.push(host.name),
      ),
    );
    pool.close();
    await Promise.all(answers);
    await pool.join();
    if (options.mode === 'gather') await showGathered(store, text, streams);
    if (notStarted.length > 0) streams.stderr.write(`sshpool: not started: ${escapeControlCharacters(new HostSet(notStarted).toString())} (${notStarted.length})\n`);
  } finally {
    options.signal.removeEventListener('abort', stop);
    store.close();
  }
}

/** The groups of identical output, then one status line (with its message) per host that did not end ok. */
async function showGathered(store: RecordStore, text: TextOutput, streams: TextOutputStreams): Promise<void> {
  await writeGatheredRecords(() => store.records(0), (host) => store.record(0, host)!, streams);
  for (const outline of store.outlines()) if (outline.status !== 'ok' || outline.warnings) text.hostDone(outline);
}
