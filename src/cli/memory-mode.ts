import { setFlagsFromString } from 'node:v8';

/**
 * Has V8 favour memory over speed from now on, once a run's hosts print more
 * than the output kept in memory: its heap then grows less eagerly between
 * collections, which holds 1000 hosts × 1 MiB at about half the peak memory
 * (bench:large-output), at ~10 % more CPU that a run printing little never
 * pays. The CLI owns the process; the library leaves V8 as its user set it.
 */
export function favourMemoryOverSpeed(): void {
  setFlagsFromString('--optimize-for-size');
}
