import type { Redis } from 'ioredis';
import { deferredCaTrust } from '../deferred-ca-certs.js';
import { UsageError } from '../errors.js';
import { QueueError } from './errors.js';
import { ioredis } from './libraries.js';

/** How long the first connection may take before Redis counts as unreachable (TCP, TLS, AUTH). */
const CONNECT_TIMEOUT_MS = 5_000;

/** The URL with its password replaced: what messages and logs may show. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

/** Refuses a URL that is not redis:// or rediss:// (the error shows it without its password). */
export function checkRedisUrl(url: string, label: string): string {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new UsageError(`${label}: ${redactedUrl(url)} is not a URL (redis://[:PASSWORD@]HOST:PORT[/DB] or rediss:// for TLS)`);
  }
  if (protocol !== 'redis:' && protocol !== 'rediss:') throw new UsageError(`${label}: ${redactedUrl(url)} is not a redis:// or rediss:// URL`);
  return url;
}

/**
 * A connection to Redis, ready: ioredis loaded here, so that a run without
 * --redis never loads it. Commands issued while Redis is away wait for it
 * (maxRetriesPerRequest null, as BullMQ's workers require), so nothing
 * finished is dropped during an outage.
 * @throws QueueError REDIS_UNAVAILABLE when Redis cannot be reached, or refuses the password or the TLS handshake, within 5 s.
 */
export async function connectRedis(url: string): Promise<Redis> {
  const { Redis: RedisClient } = ioredis();
  const trust = new URL(url).protocol === 'rediss:' ? deferredCaTrust() : undefined;
  const client = new RedisClient(url, {
    lazyConnect: true,
    maxRetriesPerRequest: null,
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    ...(trust ? { tls: trust } : {}),
  });
  let lastError: Error | undefined;
  const onError = (error: Error): void => {
    lastError = error;
  };
  client.on('error', onError);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect().then(() => client.ping()),
      new Promise((_resolve, reject) => {
        timer = setTimeout(() => reject(lastError ?? new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS);
      }),
    ]);
  } catch (error) {
    client.disconnect();
    const reason = (lastError ?? (error as Error)).message;
    throw new QueueError('REDIS_UNAVAILABLE', `Redis at ${redactedUrl(url)}: ${reason}`, { cause: error });
  } finally {
    clearTimeout(timer);
    client.off('error', onError);
  }
  return client;
}

/**
 * Says once when the connection is lost and once when it is back (`say`
 * gets each line); returns the listener's removal. ioredis reconnects by itself.
 */
export function watchConnection(client: Redis, url: string, say: (message: string) => void): () => void {
  let lost = false;
  const onClose = (): void => {
    if (lost) return;
    lost = true;
    say(`lost the connection to Redis at ${redactedUrl(url)}: waiting for it to come back (workers keep the records they finish)`);
  };
  const onReady = (): void => {
    if (!lost) return;
    lost = false;
    say(`Redis at ${redactedUrl(url)} is back`);
  };
  // ioredis reports each failed reconnection as an error: the loss was said once already.
  const onError = (): void => undefined;
  client.on('close', onClose);
  client.on('ready', onReady);
  client.on('error', onError);
  return () => {
    client.off('close', onClose);
    client.off('ready', onReady);
    client.off('error', onError);
  };
}
