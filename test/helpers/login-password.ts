import { execFile } from 'node:child_process';

/** Sets the login user's password through chpasswd's stdin, never argv (root only). */
export function setLoginPassword(user: string, password: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile('chpasswd', (error) => (error ? reject(error) : resolve()));
    child.stdin?.end(`${user}:${password}\n`);
  });
}

/** Back to '*': no password, without locking the account (sshd refuses locked ones). */
export function clearLoginPassword(user: string): Promise<void> {
  return new Promise((resolve) => execFile('usermod', ['--password', '*', user], () => resolve()));
}
