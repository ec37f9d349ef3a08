import { setFlagsFromString } from 'node:v8';
import type { HostOutputEvent, HostRun } from '../run/host-run.js';

/**
 * Every V8 flag set changes V8's flag hash, and a code cache made under another hash is rejected:
 * Node's own, for each of its modules loaded after the change (each then took ~3× as long to load:
 * ~20 ms of every start while the heap growth below was set as the launcher began), and ours
 * (src/cli/code-cache.ts). So the flags are set once a run is under way, and put back to V8's
 * defaults as the process exits, before the code caches are written.
 */
const flagsToRestore = new Map<string, string>();

function setV8Flag(flag: string, defaultForm: string): void {
  if (flagsToRestore.size === 0) process.prependListener('exit', restoreV8Defaults);
  flagsToRestore.set(flag, defaultForm);
  setFlagsFromString(flag);
}

function restoreV8Defaults(): void {
  for (const defaultForm of flagsToRestore.values()) setFlagsFromString(defaultForm);
  flagsToRestore.clear();
}

/**
 * V8 lets the old generation grow to up to 4× what was live at the last full collection before the
 * next (throughput first); in a 10,000-host run that is ~250 MB of garbage over ~60 MB live. 1.5× keeps
 * the process's peak near the live size for a few per cent more time collecting (bench/fanout).
 * Called when a run's first host is done (its start, ssh2 included, is loaded by then).
 */
export function boundHeapGrowth(): void {
  setV8Flag('--heap-growing-percent=50', '--heap-growing-percent=0');
}

/**
 * Has V8 do without Turbofan, its optimising compiler, from now on. It compiles the functions a run
 * makes hot on a thread of its own, and in a run of many hosts that cost more CPU than the optimised
 * code saved: the heavy work per host (key exchange, ciphers, MACs) is OpenSSL's, and what is left in
 * JavaScript runs briefly per host. Side by side (bench/fanout): 200 hosts 0.55 → 0.49 s of client
 * CPU. Not where hosts print in bulk (see tuneV8OnceUnderWay).
 */
function forgoOptimisingCompiler(): void {
  setV8Flag('--no-opt', '--opt');
}

/**
 * Output a run has received by the time its first host is done above which Turbofan stays: the code
 * run per byte of output is then hot for the whole run, and optimised it pays for its compiling
 * (1000 hosts × 1 MiB: 2-3 % more CPU without it, side by side).
 */
const BULK_OUTPUT_BYTES = 256 * 1024;

/**
 * Once the run's first host is done (its start, ssh2 included, is loaded by then, and a large
 * inventory parsed under V8's defaults): bounds the heap growth, and forgoes the optimising compiler
 * unless the hosts print in bulk.
 */
export function tuneV8OnceUnderWay(run: HostRun): void {
  let outputBytes = 0;
  const count = ({ chunk }: HostOutputEvent): void => {
    outputBytes += chunk.length;
  };
  run.on('output', count);
  run.once('hostDone', () => {
    run.off('output', count);
    boundHeapGrowth();
    if (outputBytes < BULK_OUTPUT_BYTES) forgoOptimisingCompiler();
  });
}

/**
 * Has V8 favour memory over speed from now on, once a run's hosts print more
 * than the output kept in memory: its heap then grows less eagerly between
 * collections, which holds 1000 hosts × 1 MiB at about half the peak memory
 * (bench:large-output), at ~10 % more CPU that a run printing little never
 * pays. The CLI owns the process; the library leaves V8 as its user set it.
 */
export function favourMemoryOverSpeed(): void {
  setV8Flag('--optimize-for-size', '--no-optimize-for-size');
}
