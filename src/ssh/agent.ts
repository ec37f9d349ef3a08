import type { IdentityCallback, OpenSSHAgent, ParsedKey } from 'ssh2';
import { ssh2 } from './ssh2-library.js';

/** OpenSSHAgent yields parsed keys; ssh2's wider type also covers other agents. */
function parsedKeys(entries: readonly unknown[] | undefined): ParsedKey[] {
  return (entries ?? []).filter((entry): entry is ParsedKey => typeof (entry as ParsedKey).getPublicSSH === 'function');
}

/**
 * The public key blobs an ssh-agent holds; none when it cannot be reached, as ssh
 * then carries on without it.
 */
export function listAgentKeys(socketPath: string): Promise<Buffer[]> {
  return new Promise((resolve) => {
    new (ssh2().OpenSSHAgent)(socketPath).getIdentities((error, entries) => {
      resolve(error ? [] : parsedKeys(entries).map((key) => key.getPublicSSH()));
    });
  });
}

/**
 * An OpenSSH agent that offers only the allowed keys (IdentitiesOnly), remembers what
 * it offered, and turns an unreachable agent into "no keys": ssh2 would otherwise
 * emit a client 'error' for a stale SSH_AUTH_SOCK instead of moving on to the files.
 */
export interface SelectiveAgent extends OpenSSHAgent {
  /** Whether this agent offered the key with this public blob. */
  offered(publicKey: Buffer): boolean;
}

type SelectiveAgentClass = new (socketPath: string, allowed: readonly Buffer[] | undefined) => SelectiveAgent;
let selectiveAgentClass: SelectiveAgentClass | undefined;

/** `allowed`: public key blobs; undefined offers every key the agent holds. */
export function selectiveAgent(socketPath: string, allowed: readonly Buffer[] | undefined): SelectiveAgent {
  selectiveAgentClass ??= defineSelectiveAgent(ssh2().OpenSSHAgent);
  return new selectiveAgentClass(socketPath, allowed);
}

/** The class extends ssh2's, which is loaded only when an agent is first used. */
function defineSelectiveAgent(Agent: typeof OpenSSHAgent): SelectiveAgentClass {
  return class extends Agent implements SelectiveAgent {
    private offeredKeys: Buffer[] = [];

    constructor(socketPath: string, private readonly allowed: readonly Buffer[] | undefined) {
      super(socketPath);
    }

    override getIdentities(callback: IdentityCallback<ParsedKey>): void {
      super.getIdentities((error, entries) => {
        if (error) return callback(undefined, []);
        const keys = parsedKeys(entries);
        const allowed = this.allowed;
        const usable = allowed === undefined ? keys : keys.filter((key) => allowed.some((blob) => blob.equals(key.getPublicSSH())));
        this.offeredKeys = usable.map((key) => key.getPublicSSH());
        callback(undefined, usable);
      });
    }

    offered(publicKey: Buffer): boolean {
      return this.offeredKeys.some((offered) => offered.equals(publicKey));
    }
  };
}
