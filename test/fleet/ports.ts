import { connect, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { FleetError } from './fleet-error.js';
import { assertLoopback } from './loopback.js';

const RETRY_DELAY_MS = 25;

function listen(server: Server, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, address, () => {
      const bound = server.address();
      if (bound === null || typeof bound === 'string') reject(new FleetError(`no TCP port bound on ${address}`));
      else resolve(bound.port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A port where nothing listens: the kernel picks a free one, which is released at once. */
export async function closedPort(address = '127.0.0.1'): Promise<number> {
  assertLoopback(address);
  const server = createServer();
  const port = await listen(server, address);
  await closeServer(server);
  return port;
}

/**
 * A port that accepts TCP connections and never sends a byte: a host that hangs before the SSH banner.
 * `accepted()` counts the connections it took, so a test knows a client is waiting there (or never came).
 */
export async function silentPort(address = '127.0.0.1'): Promise<{ port: number; accepted(): number; close(): Promise<void> }> {
  assertLoopback(address);
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server, address);
  return {
    port,
    accepted: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await closeServer(server);
    },
  };
}

type ProbeResult = 'banner' | 'refused' | 'no-banner';

/** One TCP connection: does an SSH server answer on it with its version banner? */
function probe(address: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    let received = '';
    let done = false;
    const finish = (result: ProbeResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish('no-banner'), timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.includes('SSH-2.0-')) finish('banner');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => finish(error.code === 'ECONNREFUSED' ? 'refused' : 'no-banner'));
    socket.on('close', () => finish('no-banner'));
  });
}

/** Polls until the port sends an SSH-2.0 banner; false if it did not within timeoutMs or giveUp() said so. */
export async function waitForBanner(
  address: string,
  port: number,
  options: { timeoutMs: number; giveUp: () => boolean },
): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  for (let left = options.timeoutMs; left > 0 && !options.giveUp(); left = deadline - Date.now()) {
    if ((await probe(address, port, Math.min(left, 1_000))) === 'banner') return true;
    await delay(RETRY_DELAY_MS);
  }
  return false;
}

export async function waitForRefusal(address: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let left = timeoutMs; left > 0; left = deadline - Date.now()) {
    if ((await probe(address, port, Math.min(left, 1_000))) === 'refused') return;
    await delay(RETRY_DELAY_MS);
  }
  throw new FleetError(`${address}:${port} still accepts connections after ${timeoutMs} ms`);
}
