import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { FleetError } from './fleet-error.js';
import { runTool } from './run-tool.js';

export const FLEET_LOGIN_USER = 'sshpool-test';
const SHELL = '/bin/sh';

async function loginShell(name: string): Promise<string | undefined> {
  const result = await runTool('getent', ['passwd', name]);
  return result.exitCode === 0 ? result.stdout.trim().split(':')[6] : undefined;
}

/** With UsePAM no, sshd refuses accounts whose password field starts with '!' (useradd's default). */
async function isLocked(name: string): Promise<boolean> {
  const shadow = await readFile('/etc/shadow', 'utf8');
  const entry = shadow.split('\n').find((line) => line.startsWith(`${name}:`));
  return entry?.split(':')[1]?.startsWith('!') ?? false;
}

/**
 * The user fleet sessions log in as. As root: a dedicated unprivileged user, created if missing.
 * Two test processes may race here: useradd then fails (user exists, or passwd file locked) and the
 * next round finds the user the other one made.
 */
export async function ensureLoginUser(): Promise<string> {
  if (process.getuid?.() !== 0) return userInfo().username;
  for (let attempt = 1; attempt <= 50; attempt++) {
    const shell = await loginShell(FLEET_LOGIN_USER);
    if (shell === SHELL && !(await isLocked(FLEET_LOGIN_USER))) return FLEET_LOGIN_USER;
    // '*' is "no password" without being locked.
    const fix =
      shell === undefined
        ? await runTool('useradd', ['--create-home', '--shell', SHELL, '--password', '*', FLEET_LOGIN_USER])
        : await runTool('usermod', ['--shell', SHELL, '--password', '*', FLEET_LOGIN_USER]);
    if (fix.exitCode !== 0) await delay(100);
  }
  throw new FleetError(`could not set up the login user ${FLEET_LOGIN_USER}`);
}
