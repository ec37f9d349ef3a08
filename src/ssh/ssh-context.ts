import { listAgentKeys } from './agent.js';
import { buildAuthHandler } from './auth.js';
import { ConnectionOpener } from './connection-opener.js';
import type { ConnectionOpenerOptions } from './connection-opener.js';
import type { ConnectPlan } from './connect-plan.js';
import type { SshConnection } from './connection.js';
import { HostKeyVerifier } from './host-key-verifier.js';
import { IdentityStore } from './identities.js';
import type { Identity } from './identities.js';
import { SshConfigResolver } from './ssh-config.js';
import type { SshOptions } from '../settings/run-options.js';
import type { HopSettings, TargetSettings } from './target-settings.js';

/**
 * What one run shares across its hosts, so that per-host work is only the
 * connection itself: ssh_config parsed once, each agent's keys listed once,
 * each key file parsed (and its passphrase asked, unless the agent holds the
 * key) once, each known_hosts set loaded once, the password asked once,
 * jump-host connections shared. Only SSH targets come here.
 */
export class SshContext {
  private readonly verifiers = new Map<string, HostKeyVerifier>();
  private readonly agentKeys = new Map<string, Promise<Buffer[]>>();
  private readonly identities: IdentityStore;
  private readonly opener: ConnectionOpener;
  private password: Promise<string> | undefined;
  /** A passphrase or the password was asked during `prepare`: the early connects may have waited for a person. */
  private prompted = false;

  private constructor(
    readonly sshConfig: SshConfigResolver,
    private readonly options: SshOptions,
    openerOptions: ConnectionOpenerOptions,
  ) {
    this.opener = new ConnectionOpener({
      ...openerOptions,
      ...(options.connectRate === undefined ? {} : { connectRate: options.connectRate }),
      ...(options.jumpStartups === undefined ? {} : { jumpStartups: options.jumpStartups }),
    });
    const { passphrasePrompt } = options;
    this.identities = new IdentityStore(passphrasePrompt ? { passphrasePrompt: (file) => this.prompting(passphrasePrompt(file)) } : {});
  }

  static async create(options: SshOptions, openerOptions: ConnectionOpenerOptions = {}): Promise<SshContext> {
    return new SshContext(await SshConfigResolver.load(options.sshConfigFile), options, openerOptions);
  }

  /**
   * Reads every key file and known_hosts file the targets need, asking
   * passphrases (and the password, with --ask-pass) now rather than in the
   * middle of streamed output, so that a missing key or unreadable file stops
   * the run before any host is logged into. The TCP connects of `startingFirst`
   * (the hosts the run will start first; their first hops) are started before
   * that, so that they overlap it; if it fails they are closed unused.
   */
  async prepare(targets: readonly TargetSettings[], startingFirst: readonly TargetSettings[] = []): Promise<void> {
    try {
      await this.opener.connectEarly(startingFirst.map((target) => target.jumps[0] ?? target));
      const hops = targets.flatMap((target) => [...target.jumps, target]);
      for (const hop of hops) await this.identitiesOf(hop);
      if (this.options.passwordPrompt) await this.askPasswordOnce(this.options.passwordPrompt);
      await Promise.all(hops.map((hop) => this.verifier(hop).load()));
    } catch (error) {
      this.opener.closeEarly();
      throw error;
    }
    // sshd drops a connection that has not logged in within LoginGraceTime (120 s by default), and
    // counts it against MaxStartups while it waits: after someone typed, connect anew.
    if (this.prompted) this.opener.closeEarly();
  }

  /** Closes the early connects of `prepare` that no connection took. */
  closeEarly(): void {
    this.opener.closeEarly();
  }

  /** Opens an authenticated connection to the target, through its jump hops. */
  async connect(target: TargetSettings, signal?: AbortSignal): Promise<SshConnection> {
    const chain = await Promise.all([...target.jumps, target].map((hop) => this.plan(hop)));
    return this.opener.open(chain, signal);
  }

  close(): void {
    this.opener.closeAll();
  }

  private async plan(hop: HopSettings): Promise<ConnectPlan> {
    const identities = await this.identitiesOf(hop);
    // A password typed for this run (--ask-pass) beats the inventory's, as -u beats ansible_user.
    const password = this.options.passwordPrompt ? await this.askPasswordOnce(this.options.passwordPrompt) : hop.password?.reveal();
    const verifier = this.verifier(hop);
    return {
      label: hop.label,
      hostname: hop.hostname,
      port: hop.port,
      user: hop.user,
      connectTimeoutMs: hop.connectTimeoutMs,
      serverAliveIntervalMs: hop.serverAliveIntervalMs,
      serverAliveCountMax: hop.serverAliveCountMax,
      hostKeyAlgorithms: await verifier.hostKeyAlgorithms(hop.hostKey.name, hop.hostKey.port),
      ...(hop.proxyCommand === undefined ? {} : { proxyCommand: hop.proxyCommand }),
      verifyHostKey: (key) => verifier.check(hop.hostKey.name, hop.hostKey.port, key),
      createAuthHandler: (hostKey) =>
        buildAuthHandler({
          username: hop.user,
          agentSocket: hop.agentSocket ?? undefined,
          identitiesOnly: hop.identitiesOnly,
          identities,
          hostKey,
          ...(password === undefined ? {} : { password: () => password }),
        }),
    };
  }

  /** The hop's identity files; an encrypted one whose key the hop's agent holds is left to the agent. */
  private async identitiesOf(hop: HopSettings): Promise<Identity[]> {
    const agentKeys = hop.agentSocket === null ? [] : await this.agentKeysOf(hop.agentSocket);
    return this.identities.load(hop.identityFiles, { explicit: hop.identityFilesExplicit, agentKeys, certificateFiles: hop.certificateFiles });
  }

  private agentKeysOf(socket: string): Promise<Buffer[]> {
    let keys = this.agentKeys.get(socket);
    if (!keys) {
      keys = listAgentKeys(socket);
      this.agentKeys.set(socket, keys);
    }
    return keys;
  }

  private verifier(hop: HopSettings): HostKeyVerifier {
    const key = [hop.strictHostKeyChecking, hop.hashKnownHosts, ...hop.knownHostsFiles, '', ...hop.globalKnownHostsFiles].join('\0');
    let verifier = this.verifiers.get(key);
    if (!verifier) {
      verifier = new HostKeyVerifier({
        files: hop.knownHostsFiles,
        globalFiles: hop.globalKnownHostsFiles,
        policy: hop.strictHostKeyChecking,
        hashKnownHosts: hop.hashKnownHosts,
      });
      this.verifiers.set(key, verifier);
    }
    return verifier;
  }

  private askPasswordOnce(prompt: () => Promise<string>): Promise<string> {
    this.password ??= this.prompting(prompt());
    return this.password;
  }

  private prompting<T>(answer: Promise<T>): Promise<T> {
    this.prompted = true;
    return answer;
  }
}
