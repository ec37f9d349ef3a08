import { once } from 'node:events';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { RedisServer, skipWithoutRedisServer } from '../helpers/redis-server.js';

/**
 * patches/ioredis+6.0.0+001+disconnect-between-attempts.patch, against a real redis-server: a client
 * told to disconnect while it waits to reconnect ends ("end"), as it does in every other state.
 * Unpatched it stayed "reconnecting" forever, and BullMQ's Worker.close(), which waits for "end",
 * with it: an `sshpool worker` stopped during or just after a Redis outage never exited.
 */
describe('ioredis: disconnect() between reconnect attempts ends the client (patched; a real redis-server)', function () {
  this.timeout(30_000);
  let redis: RedisServer | undefined;

  before(async function () {
    await skipWithoutRedisServer(this);
    redis = await RedisServer.start();
  });
  after(async () => {
    await redis?.stop();
  });

  /** `promise`, or a failure naming `what` after `ms`: unpatched, the "end" never comes. */
  function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
    });
    return Promise.race([promise, late]).finally(() => clearTimeout(timer));
  }

  /** A client of the server, ready, with sshpool's retry strategy (src/queue/redis-connection.ts). */
  async function readyClient(): Promise<Redis> {
    const client = new Redis(redis!.url, { maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(times * 200, 2_000) });
    client.on('error', () => undefined);
    if (client.status !== 'ready') await once(client, 'ready');
    return client;
  }

  it('a client waiting to reconnect (its server down) emits "end" on disconnect(), fails what it had queued, and connects no more', async () => {
    const client = await readyClient();
    const reconnecting = once(client, 'reconnecting');
    await redis!.halt();
    await reconnecting;
    expect(client.status).to.equal('reconnecting');
    // Queued while offline (maxRetriesPerRequest: null): failed by the disconnect, not left pending.
    const queued = client.get('key').then(
      () => 'answered',
      (error: Error) => error.message,
    );
    const ended = once(client, 'end');
    client.disconnect();
    await within(ended, 5_000, '"end" after disconnect()');
    expect(client.status).to.equal('end');
    expect(await queued).to.equal('Connection is closed.');
    await redis!.launch();
    // The retry timer is gone with the disconnect: back up, the server is not connected to again.
    const other = await readyClient();
    const clients = (await other.client('LIST')) as string;
    expect(clients.split('\n').filter(Boolean)).to.have.length(1);
    expect(client.status).to.equal('end');
    other.disconnect();
  });

  it('disconnect(true) while waiting still reconnects, as before: the server is back, the client is ready again', async () => {
    const client = await readyClient();
    const reconnecting = once(client, 'reconnecting');
    await redis!.halt();
    await reconnecting;
    client.disconnect(true);
    await redis!.launch();
    if (client.status !== 'ready') await once(client, 'ready');
    expect(await client.ping()).to.equal('PONG');
    client.disconnect();
  });
});
