/**
 * How a connection came to be trusted both ways: how the host's key was verified, and
 * what this side authenticated with. Plain data, for `ping -v` and `sshpool hosts`.
 */
export interface ConnectionTrust {
  /** "host certificate ssh-ed25519-cert-v01@openssh.com SHA256:… ID "web1" serial 7 signed by CA …, CA trusted by `@cert-authority` at FILE:LINE", or the known_hosts line of a plain key. */
  hostKey: string;
  /** "certificate … (FILE)", "key ssh-ed25519 SHA256:… (FILE)", "ssh-agent key …", "password"; absent if unknown. */
  authenticatedWith?: string;
}

/** The lines `ping -v` prints for a host, and `sshpool hosts` can print: one per side of the trust. */
export function describeTrust(trust: ConnectionTrust): string[] {
  return [`host key: ${trust.hostKey}`, `authenticated with: ${trust.authenticatedWith ?? 'unknown'}`];
}
