import { randomBytes } from 'node:crypto';
import { access, rm, writeFile } from 'node:fs/promises';
import { FleetError } from './fleet-error.js';
import { runTool } from './run-tool.js';

/** Logs in with the fleet's key (its AuthorizedKeysFile is every user's) and may sudo to anyone with its password. */
export const SUDOER = 'sshpool-sudoer';
/** Only a user to become: commands run as it through sudo prove --become-user. */
export const OTHER_USER = 'sshpool-other';

const SUDOERS_FILE = '/etc/sudoers.d/sshpool-become-test';
const DOAS_FILE = '/etc/doas.conf';

export interface BecomeUsers {
  /** SUDOER's password, fresh for this test process: never written anywhere but chpasswd's stdin. */
  password: string;
  /** Whether doas is installed and permits SUDOER (with its password). */
  doas: boolean;
  /** Removes the sudo and doas rules. */
  remove(): Promise<void>;
}

/** Whether this machine can run the become tests: root (to add users and rules) and Debian's sudo. */
export async function becomeUnavailable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root, to add the users and the sudo rule';
  const found = await access('/usr/bin/sudo').then(() => true, () => false);
  return found ? undefined : 'needs sudo (apt-get install sudo)';
}

async function ensureUser(name: string): Promise<void> {
  if ((await runTool('getent', ['passwd', name])).exitCode === 0) return;
  const made = await runTool('useradd', ['--create-home', '--shell', '/bin/sh', '--password', '*', name]);
  // Another test process may have made it in between.
  if (made.exitCode !== 0 && (await runTool('getent', ['passwd', name])).exitCode !== 0) throw new FleetError(`useradd ${name}: ${made.stderr}`);
}

/** Through chpasswd's stdin, never argv. */
async function setPassword(user: string, password: string): Promise<void> {
  const set = await runTool('chpasswd', [], { input: `${user}:${password}\n` });
  if (set.exitCode !== 0) throw new FleetError(`chpasswd ${user}: ${set.stderr}`);
}

/**
 * SUDOER with a fresh password and a sudo rule that asks for it every time
 * (timestamp_timeout=0, so one command's success never lets the next through
 * without it), OTHER_USER to become, and a doas rule when doas is installed.
 */
export async function setUpBecomeUsers(): Promise<BecomeUsers> {
  await ensureUser(SUDOER);
  await ensureUser(OTHER_USER);
  const password = randomBytes(12).toString('base64url');
  await setPassword(SUDOER, password);
  const rule = [`Defaults:${SUDOER} timestamp_timeout=0, !lecture, passwd_tries=3`, `${SUDOER} ALL=(ALL:ALL) ALL`, ''].join('\n');
  await writeFile(SUDOERS_FILE, rule, { mode: 0o440 });
  const checked = await runTool('visudo', ['-cf', SUDOERS_FILE]);
  if (checked.exitCode !== 0) throw new FleetError(`visudo refused ${SUDOERS_FILE}: ${checked.stdout}${checked.stderr}`);
  const doasInstalled = await access('/usr/bin/doas').then(() => true, () => false);
  const ownsDoasConf = doasInstalled && !(await access(DOAS_FILE).then(() => true, () => false));
  if (ownsDoasConf) await writeFile(DOAS_FILE, `permit ${SUDOER} as root\n`, { mode: 0o600 });
  return {
    password,
    doas: ownsDoasConf,
    remove: async () => {
      await rm(SUDOERS_FILE, { force: true });
      if (ownsDoasConf) await rm(DOAS_FILE, { force: true });
    },
  };
}
