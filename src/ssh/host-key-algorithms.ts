/** ssh2 1.17's default host key algorithms, in its order (lib/protocol/constants.js). */
const DEFAULT_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
] as const;

/**
 * The certificate algorithms ssh2 takes with sshpool's patch, in OpenSSH's default
 * HostKeyAlgorithms order (ssh-rsa-cert, SHA-1, is left out as OpenSSH 8.8 leaves it out).
 */
const CERTIFICATE_ALGORITHMS = [
  'ssh-ed25519-cert-v01@openssh.com',
  'ecdsa-sha2-nistp256-cert-v01@openssh.com',
  'ecdsa-sha2-nistp384-cert-v01@openssh.com',
  'ecdsa-sha2-nistp521-cert-v01@openssh.com',
  'rsa-sha2-512-cert-v01@openssh.com',
  'rsa-sha2-256-cert-v01@openssh.com',
] as const;

/** The known_hosts key type an algorithm verifies with: the rsa-sha2-* signatures use ssh-rsa keys. */
function keyTypeOfAlgorithm(algorithm: string): string {
  return algorithm.startsWith('rsa-sha2-') ? 'ssh-rsa' : algorithm;
}

/**
 * The host key algorithms to offer a host, as OpenSSH's order_hostkeyalgs() orders
 * them: the list as it is when known_hosts holds a key for its first algorithm, else
 * the algorithms of the key types known_hosts holds first, each part in the default
 * order. Without this the server and ssh2 settle on ed25519, and a host that
 * known_hosts knows only by its ECDSA or RSA key (what OpenSSH before 8.5 recorded)
 * would fail as if its key had changed. With `certAuthority` (a `@cert-authority`
 * line names the host) every certificate algorithm goes first, as OpenSSH puts them.
 * Without one none is offered, where OpenSSH offers them last: a host certificate no
 * CA vouches for is only ever checked as its plain key, which the plain algorithms get.
 */
export function orderHostKeyAlgorithms(knownKeyTypes: ReadonlySet<string>, certAuthority = false): string[] {
  const certificates = certAuthority ? CERTIFICATE_ALGORITHMS : [];
  const preferred = DEFAULT_ALGORITHMS.filter((algorithm) => knownKeyTypes.has(keyTypeOfAlgorithm(algorithm)));
  if (preferred[0] === DEFAULT_ALGORITHMS[0]) return [...certificates, ...DEFAULT_ALGORITHMS];
  return [...certificates, ...preferred, ...DEFAULT_ALGORITHMS.filter((algorithm) => !preferred.includes(algorithm))];
}
