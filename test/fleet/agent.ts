import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { FleetError } from './fleet-error.js';
import { OwnedProcess } from './owned-process.js';
import { runToolOk } from './run-tool.js';

function accepts(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitForSocket(socketPath: string, agent: OwnedProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && agent.alive) {
    if (await accepts(socketPath)) return;
    await delay(25);
  }
  throw new FleetError(`ssh-agent did not listen on ${socketPath} within ${timeoutMs} ms (exit code ${agent.exitCode})`);
}

/** A real ssh-agent (foreground, so it is ours to stop) holding the given keys. */
export async function startAgent(keyPaths: string[]): Promise<{ socket: string; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'sshpool-agent-'));
  const socket = join(dir, 'agent.sock');
  const agent = OwnedProcess.spawn('ssh-agent', ['-D', '-a', socket]);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= agent.kill().finally(() => rm(dir, { recursive: true, force: true }));
    return stopping;
  };
  try {
    await waitForSocket(socket, agent, 5_000);
    if (keyPaths.length > 0) {
      await runToolOk('ssh-add', ['-q', ...keyPaths], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { socket, stop };
}
