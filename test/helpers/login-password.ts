import { execFile } from 'node:child_process';

/** Sets a login user's password through chpasswd's stdin, never argv (root only). */
export function setPassword(user: string, password: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile('chpasswd', (error) => (error ? reject(error) : resolve()));
    child.stdin?.end(`${user}:${password}\n`);
  });
}

/** Back to the fleet's "no password" ('*', which sshd does not count as locked). */
export function clearPassword(user: string): Promise<void> {
  return new Promise((resolve) => execFile('usermod', ['--password', '*', user], () => resolve()));
}
