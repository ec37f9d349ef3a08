import type { AuthHandler } from './auth.js';
import type { HostKeyCheck, HostKeyVerdict } from './host-key.js';
import type { HopSettings } from './target-settings.js';

/**
 * Everything needed to open one SSH connection (a jump hop or the target): the
 * hop's resolved settings, under the names they were resolved with, plus how
 * its host key is checked and how it logs in (SshContext makes those from its
 * known_hosts and keys).
 */
export interface ConnectPlan
  extends Pick<HopSettings, 'label' | 'hostname' | 'port' | 'user' | 'connectTimeoutMs' | 'serverAliveIntervalMs' | 'serverAliveCountMax' | 'proxyCommand'> {
  /** The host key algorithms to offer, in order (HostKeyVerifier.hostKeyAlgorithms()). */
  hostKeyAlgorithms: string[];
  /** Rejects (with a HostKeyError) to refuse the server's host key. */
  verifyHostKey: (key: Buffer) => Promise<HostKeyCheck>;
  /** Called for each connection, once its host key is verified (the verdict rules out passwords): the handler keeps state. */
  createAuthHandler: (hostKey: HostKeyVerdict) => AuthHandler;
}
