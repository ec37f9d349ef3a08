import type { VaultSecrets } from '../inventory/vault.js';
import { UsageError } from '../errors.js';
import type { StrictHostKeyChecking } from '../ssh/ssh-config.js';
import { timerDelayMs } from '../timer-delay.js';

/**
 * How to reach hosts. Every field is optional: unset fields come from the
 * inventory, then ssh_config, then the defaults below (flags > inventory >
 * ssh_config > defaults, as the CLI documents).
 */
export interface SshOptions {
  user?: string;
  port?: number;
  /** Replace the identity files of every host (ssh -i). */
  identityFiles?: string[];
  /** ssh -F; default ~/.ssh/config. */
  sshConfigFile?: string;
  strictHostKeyChecking?: StrictHostKeyChecking;
  /** Replace UserKnownHostsFile; the first file is where accept-new records keys. */
  knownHostsFiles?: string[];
  /** Replace ProxyJump for every host ("user@bastion:22,second-hop"). */
  proxyJump?: string;
  /** 0: no limit, as ssh_config's ConnectTimeout 0. */
  connectTimeoutMs?: number;
  /** 0: no keepalives. */
  serverAliveIntervalMs?: number;
  serverAliveCountMax?: number;
  /** An ssh-agent socket; default SSH_AUTH_SOCK. `null` turns the agent off. */
  agentSocket?: string | null;
  /** Asked once per run when a key file is encrypted; never called without need. */
  passphrasePrompt?: (keyPath: string) => Promise<string>;
  /** When given, password authentication is tried after keys; called once per run. */
  passwordPrompt?: () => Promise<string>;
  /** Decrypts the inventory's `!vault` values a host needs (loadVaultSecrets reads --vault-password-file). */
  vaultSecrets?: VaultSecrets;
}

export interface RunOptions extends SshOptions {
  /** Hosts worked on at once (pdsh and pssh default to 32). */
  forks?: number;
  /** Per host; 0 or unset means no limit. */
  commandTimeoutMs?: number;
  /** Per stream and host; output past it is streamed but not kept. */
  maxOutputBytes?: number;
  /** Aborting stops the run: running commands are killed, pending hosts are skipped. */
  signal?: AbortSignal;
}

export const DEFAULTS = {
  forks: 32,
  connectTimeoutMs: 10_000,
  /** Keepalives notice a frozen host mid-command; OpenSSH's default of off would hang forever. */
  serverAliveIntervalMs: 15_000,
  serverAliveCountMax: 3,
  maxOutputBytes: 1024 * 1024,
  strictHostKeyChecking: 'yes' as StrictHostKeyChecking,
} as const;

/** The options that feed timers, each 0 ("off") or a delay a timer can hold. */
const TIMER_OPTIONS = ['commandTimeoutMs', 'connectTimeoutMs', 'serverAliveIntervalMs'] as const;

/** Refuses, before anything starts, a timer option that would fire at once or never (the error names the option). */
export function checkTimerOptions(options: RunOptions): void {
  for (const name of TIMER_OPTIONS) {
    const value = options[name];
    if (value === undefined) continue;
    timerDelayMs(value, true, (reason) => {
      throw new UsageError(`${name}: ${value} (ms) ${reason}`);
    });
  }
}
