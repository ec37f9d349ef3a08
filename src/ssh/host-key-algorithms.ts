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
 * would fail as if its key had changed.
 */
export function orderHostKeyAlgorithms(knownKeyTypes: ReadonlySet<string>): string[] {
  const preferred = DEFAULT_ALGORITHMS.filter((algorithm) => knownKeyTypes.has(keyTypeOfAlgorithm(algorithm)));
  if (preferred[0] === DEFAULT_ALGORITHMS[0]) return [...DEFAULT_ALGORITHMS];
  return [...preferred, ...DEFAULT_ALGORITHMS.filter((algorithm) => !preferred.includes(algorithm))];
}
