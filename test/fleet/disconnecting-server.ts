import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FleetError } from './fleet-error.js';
import { withoutComment } from './keys.js';
import { OwnedProcess } from './owned-process.js';
import { closedPort, waitForBanner } from './ports.js';
import { runTool, runToolOk } from './run-tool.js';

/** Debian's python3, where the python3-asyncssh package installs asyncssh (another python on PATH may lack it). */
const PYTHON = '/usr/bin/python3';

/**
 * An SSH server (asyncssh, a real implementation of the protocol) that, once the client asks to log
 * in, sends SSH_MSG_DISCONNECT with `reason` as its description: server-sent text that reaches
 * sshpool's error messages. asyncssh passes the text on as given; OpenSSH's sshd never sends such text.
 */
const SERVER = `
import asyncio, json, sys, asyncssh
port, host_key, reason = int(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
class Server(asyncssh.SSHServer):
    def connection_made(self, conn):
        self._conn = conn
    def begin_auth(self, username):
        self._conn.disconnect(asyncssh.DISC_ILLEGAL_USER_NAME, reason)
        return True
async def main():
    await asyncssh.create_server(Server, '127.0.0.1', port, server_host_keys=[host_key])
    await asyncio.Future()
asyncio.run(main())
`;

export interface DisconnectingServer {
  port: number;
  /** A known_hosts file that holds the server's host key. */
  knownHostsPath: string;
  stop(): Promise<void>;
}

/** Whether the server can run here (apt-get install python3-asyncssh). */
export async function canStartDisconnectingServer(): Promise<boolean> {
  return existsSync(PYTHON) && (await runTool(PYTHON, ['-c', 'import asyncssh'])).exitCode === 0;
}

export async function startDisconnectingServer(reason: string): Promise<DisconnectingServer> {
  const dir = await mkdtemp(join(tmpdir(), 'sshpool-disconnecting-'));
  const hostKey = join(dir, 'host_key');
  await runToolOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  const port = await closedPort();
  const server = OwnedProcess.spawn(PYTHON, ['-W', 'ignore', '-c', SERVER, String(port), hostKey, JSON.stringify(reason)]);
  const stop = async (): Promise<void> => {
    await server.kill();
    await rm(dir, { recursive: true, force: true });
  };
  if (!(await waitForBanner('127.0.0.1', port, { timeoutMs: 10_000, giveUp: () => !server.alive }))) {
    await stop();
    throw new FleetError(`the asyncssh server did not answer on 127.0.0.1:${port} (exit code ${server.exitCode})`);
  }
  const knownHostsPath = join(dir, 'known_hosts');
  await writeFile(knownHostsPath, `[127.0.0.1]:${port} ${withoutComment(await readFile(`${hostKey}.pub`, 'utf8'))}\n`);
  return { port, knownHostsPath, stop };
}
