import { homedir } from 'node:os';
import path from 'node:path';

/** Each XDG base directory: its variable, and where it is under the home without one. */
const BASES = {
  config: ['XDG_CONFIG_HOME', '.config'],
  state: ['XDG_STATE_HOME', path.join('.local', 'state')],
  cache: ['XDG_CACHE_HOME', '.cache'],
} as const;

/**
 * sshpool's directory in one XDG base directory: `$XDG_CONFIG_HOME/sshpool`
 * (state, cache alike), else `~/.config/sshpool` (`~/.local/state`,
 * `~/.cache`). The spec has a relative variable ignored; undefined when the
 * home is not absolute either (no home: nowhere of the user's to use).
 */
export function xdgDirectory(kind: keyof typeof BASES, env: NodeJS.ProcessEnv = process.env, home: string | undefined = userHome(env)): string | undefined {
  const [variable, underHome] = BASES[kind];
  const given = env[variable];
  if (given && path.isAbsolute(given)) return path.join(given, 'sshpool');
  return home !== undefined && path.isAbsolute(home) ? path.join(home, underHome, 'sshpool') : undefined;
}

/** $HOME, else the password database's; os.homedir() throws when it has neither. */
function userHome(env: NodeJS.ProcessEnv): string | undefined {
  if (env.HOME) return env.HOME;
  try {
    return homedir();
  } catch {
    return undefined;
  }
}
