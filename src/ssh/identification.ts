import type { Writable } from 'node:stream';

/**
 * sshpool's SSH identification string (RFC 4253 §4.2), in the form ssh2 takes
 * it (what follows `SSH-2.0-`): sshd logs it, and nothing keys a quirk to it.
 */
export const SOFTWARE_VERSION = 'sshpool';

/** The transports whose identification line is written. */
const written = new WeakSet<Writable>();

/**
 * Writes the identification line on a transport at once, and once: the line
 * is the client's first word and needs no answer, and sshd sends its key
 * exchange offer only after it, so a line written as the TCP connect starts
 * (EarlyConnects) has its round trip overlap the loading of ssh2 and the
 * reading of keys and known_hosts. ssh2 is told not to write it again
 * (`identSent`, ssh2 patch 007).
 */
export function writeIdentification(transport: Writable): void {
  if (written.has(transport)) return;
  written.add(transport);
  transport.write(`SSH-2.0-${SOFTWARE_VERSION}\r\n`);
}
