import { isIPv4 } from 'node:net';
import { FleetError } from './fleet-error.js';

/** The fleet and its helpers only ever listen on, and point clients at, this machine's loopback. */
export function assertLoopback(address: string): void {
  const loopback = (isIPv4(address) && address.startsWith('127.')) || address === '::1';
  if (!loopback) throw new FleetError(`${address} is not a loopback address (127.0.0.0/8 or ::1)`);
}
