import type { IdentityCallback, OpenSSHAgent, ParsedKey, SignCallback, SigningRequestOptions } from 'ssh2';
import { agentIdentityBlobs } from './agent-identities.js';
import { describeCertificate, isCertificateType, parseCertificate } from './certificate.js';
import { withCertificate } from './certified-key.js';
import { fingerprintOf, keyTypeOf } from './host-key.js';
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
 * Certificates the agent holds are offered too, in the agent's order; under
 * IdentitiesOnly a certificate is allowed when its key is, as ssh compares them.
 */
export interface SelectiveAgent extends OpenSSHAgent {
  /** Whether this agent offered the key with this public blob. */
  offered(publicKey: Buffer): boolean;
  /** The key ssh2 last had this agent sign with (once authenticated: the one that logged in), described. */
  lastSigned(): string | undefined;
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
    private signedKey: ParsedKey | undefined;

    constructor(private readonly socketPath: string, private readonly allowed: readonly Buffer[] | undefined) {
      super(socketPath);
    }

    override getIdentities(callback: IdentityCallback<ParsedKey>): void {
      agentIdentityBlobs(this.socketPath).then(
        (blobs) => {
          const allowed = this.allowed;
          const usable = blobs
            .map(agentKey)
            .filter((entry): entry is AgentKey => entry !== undefined)
            .filter((entry) => allowed === undefined || allowed.some((blob) => blob.equals(entry.plainKey)))
            .map((entry) => entry.key);
          this.offeredKeys = usable.map((key) => key.getPublicSSH());
          callback(undefined, usable);
        },
        () => callback(undefined, []),
      );
    }

    offered(publicKey: Buffer): boolean {
      return this.offeredKeys.some((offered) => offered.equals(publicKey));
    }

    override sign(pubKey: string | Buffer | ParsedKey, data: Buffer, options?: SigningRequestOptions | SignCallback, callback?: SignCallback): boolean {
      if (typeof pubKey === 'object' && !Buffer.isBuffer(pubKey)) this.signedKey = pubKey;
      return typeof options === 'function' ? super.sign(pubKey, data, options) : super.sign(pubKey, data, options, callback);
    }

    lastSigned(): string | undefined {
      const blob = this.signedKey?.getPublicSSH();
      if (blob === undefined) return undefined;
      if (!isCertificateType(keyTypeOf(blob))) return `ssh-agent key ${keyTypeOf(blob)} ${fingerprintOf(blob)}`;
      return `ssh-agent certificate ${describeCertificate(parseCertificate(blob))}`;
    }
  };
}

interface AgentKey {
  key: ParsedKey;
  /** The key itself: for a certificate, the key it certifies. */
  plainKey: Buffer;
}

/** An agent's blob as a key ssh2 can offer; undefined for types neither ssh2 nor sshpool parse. */
function agentKey(blob: Buffer): AgentKey | undefined {
  let plainKey = blob;
  if (isCertificateType(keyTypeOf(blob))) {
    try {
      plainKey = parseCertificate(blob).publicKey;
    } catch {
      return undefined;
    }
  }
  const parsed = ssh2().utils.parseKey(`${keyTypeOf(plainKey)} ${plainKey.toString('base64')}`);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key === undefined || key instanceof Error) return undefined;
  return { key: plainKey === blob ? key : withCertificate(key, blob), plainKey };
}
