import type { VaultSecrets } from '../inventory/vault.js';
import { UsageError } from '../errors.js';
import type { Secret } from '../secret.js';
import type { RunSettingOptions, SshSettingOptions } from './schema.js';
import { timerDelayMs } from '../timer-delay.js';

/**
 * How to reach hosts. The settings' fields (user, port, identityFiles,
 * sshConfigFile, knownHostsFiles, strictHostKeyChecking, proxyJump,
 * connectTimeoutMs, serverAliveIntervalMs, serverAliveCountMax) are declared
 * in src/settings/schema.ts with their help and defaults. Every field is
 * optional: unset fields come from the inventory, then ssh_config, then the
 * defaults (flags > inventory > ssh_config > defaults, as the CLI documents).
 */
export interface SshOptions extends SshSettingOptions {
  /**
   * user, port and identity files for hosts whose inventory vars do not set
   * them, above ssh_config: where settings files and SSHPOOL_* variables go,
   * as ansible.cfg's remote_user ranks below inventory vars.
   */
  hostDefaults?: Pick<SshSettingOptions, 'user' | 'port' | 'identityFiles'>;
  /** An ssh-agent socket; default SSH_AUTH_SOCK. `null` turns the agent off. */
  agentSocket?: string | null;
  /** Asked once per run when a key file is encrypted; never called without need. */
  passphrasePrompt?: (keyPath: string) => Promise<string>;
  /** When given, password authentication is tried after keys; called once per run. */
  passwordPrompt?: () => Promise<string>;
  /** Decrypts the inventory's `!vault` values a host needs (loadVaultSecrets reads --vault-password-file). */
  vaultSecrets?: VaultSecrets;
}

/** Adds forks, commandTimeoutMs, maxOutputBytes and become, becomeUser, becomeMethod (declared in src/settings/schema.ts). */
export interface RunOptions extends Omit<SshOptions, 'hostDefaults'>, RunSettingOptions {
  /** As SshOptions' hostDefaults, with the become settings too: below the host's ansible_become* vars. */
  hostDefaults?: SshOptions['hostDefaults'] & Pick<RunSettingOptions, 'become' | 'becomeUser' | 'becomeMethod'>;
  /** Aborting stops the run: running commands are killed, pending hosts are skipped. */
  signal?: AbortSignal;
  /** The password become sends when the remote prompt asks (--ask-become-pass); beats ansible_become_password. */
  becomePassword?: Secret;
}

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
