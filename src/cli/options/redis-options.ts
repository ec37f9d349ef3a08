import { UsageError } from '../../errors.js';
import { RedisHosts } from '../../queue/redis-hosts.js';
import { checkRedisUrl, redactedUrl } from '../../queue/redis-connection.js';
import { checkNoSecrets } from '../../run/remote-hosts.js';
import { settingValue } from '../../settings/resolve.js';
import type { EffectiveSettings } from '../../settings/resolve.js';
import { escapeControlCharacters } from '../../output/untrusted-text.js';
import type { Argv } from 'yargs';
import type { CliIo } from '../cli.js';

/** --attach RUN_ID, of the commands whose runs go through Redis and can be gathered again. */
export function withAttachOption<T>(parser: Argv<T>) {
  return parser.option('attach', {
    type: 'string',
    requiresArg: true,
    describe: 'With --redis: run nothing, gather the records of run RUN_ID (its id was printed at its start) whose controller stopped, as they come from its workers',
  });
}

/**
 * This invocation's Redis URL (--redis, SSHPOOL_REDIS, a settings file), checked;
 * undefined without one. A password in it given as a flag is refused: every
 * local user sees a command line (ps).
 */
export function redisUrl(settings: EffectiveSettings): string | undefined {
  const url = settingValue(settings, 'redis');
  if (url === undefined) return undefined;
  checkRedisUrl(url, '--redis');
  if (settings.get('redis')?.origin.source === 'flag' && new URL(url).password !== '') {
    throw new UsageError('--redis: a password on the command line is shown to every local user (ps): put the URL in $SSHPOOL_REDIS or a settings file instead');
  }
  return url;
}

/** How hosts are reached from a worker: with --redis these are the workers' settings, and a controller's flag for one would do nothing. */
const WORKERS_OWN = ['identity', 'ssh-config', 'known-hosts', 'strict-host-key-checking', 'jump', 'agent', 'connect-timeout', 'server-alive-interval', 'server-alive-count-max', 'connect-rate', 'jump-startups'];

/**
 * With --redis, refuses before anything is asked or queued: the password
 * prompts (a password would travel in the payloads), and flags of the SSH side,
 * which is each worker's own.
 */
export function refuseWithRedis(settings: EffectiveSettings): void {
  if (redisUrl(settings) === undefined) return;
  checkNoSecrets({ askPass: settingValue(settings, 'ask-pass') === true, askBecomePass: settingValue(settings, 'ask-become-pass') === true });
  const given = WORKERS_OWN.filter((key) => settings.get(key)?.origin.source === 'flag');
  if (given.length > 0) {
    throw new UsageError(`--${given[0]} with --redis: keys, agent, known_hosts, ssh_config, jumps and connect timeouts are each worker's own: give it to \`sshpool worker\``);
  }
}

/**
 * The remote side of a run with --redis (undefined without): refuses the
 * password prompts, connects (a clear error, nothing queued, when Redis
 * cannot be reached), and says the run's id, which --attach takes.
 */
export async function remoteHosts(settings: EffectiveSettings, io: Pick<CliIo, 'stderr'>, attach?: string): Promise<RedisHosts | undefined> {
  const url = redisUrl(settings);
  if (url === undefined) {
    if (attach !== undefined) throw new UsageError('--attach needs --redis (or $SSHPOOL_REDIS): the Redis the run went through');
    return undefined;
  }
  refuseWithRedis(settings);
  const say = (message: string): void => void io.stderr.write(`sshpool: ${escapeControlCharacters(message)}\n`);
  const hosts = await RedisHosts.connect({ url, attach, notify: say, maxUploadBytes: settingValue(settings, 'redis-max-upload'), maxFetchBytes: settingValue(settings, 'redis-max-fetch') });
  if (attach === undefined) say(`run ${hosts.runId} through Redis at ${redactedUrl(url)} (should this controller stop, --attach ${hosts.runId} gathers what the workers finished)`);
  else say(`attached to run ${hosts.runId} through Redis at ${redactedUrl(url)}`);
  return hosts;
}
