import os from 'node:os';

/** The %-tokens sshpool expands in ssh_config paths (a subset of ssh_config(5) TOKENS). */
export type PathTokens = Partial<Record<'h' | 'p' | 'r' | 'u' | 'd' | 'n', string>>;

const SUPPORTED = new Set(['h', 'p', 'r', 'u', 'd', 'n', '%']);

/** Calls `onUnsupported` for each token we cannot expand, so bad files fail at load, not per host. */
export function checkPathTokens(raw: string, onUnsupported: (token: string) => void): void {
  for (const [, token] of raw.matchAll(/%(.?)/gs)) {
    if (!SUPPORTED.has(token ?? '')) onUnsupported(token ?? '');
  }
}

/** `~` and `~/…` become the home directory; then %-tokens (unknown ones are left as written). */
export function expandPathTokens(raw: string, tokens: PathTokens, home: string): string {
  const tilded = raw === '~' || raw.startsWith('~/') ? home + raw.slice(1) : raw;
  return tilded.replace(/%(.)/gs, (whole, token: string) => {
    if (token === '%') return '%';
    return tokens[token as keyof PathTokens] ?? whole;
  });
}

export function homePath(): string {
  return os.userInfo().homedir;
}
