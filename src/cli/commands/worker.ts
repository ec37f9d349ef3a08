import type { Argv } from 'yargs';
import { UsageError } from '../../errors.js';
import { QueueWorker } from '../../queue/queue-worker.js';
import { checkTag } from '../../run/remote-hosts.js';
import { escapeControlCharacters } from '../../output/untrusted-text.js';
import type { CliIo } from '../cli.js';
import { loadCliSettings, toRunOptions, withSettingsOptions } from '../options/settings-options.js';
import { redisUrl } from '../options/redis-options.js';
import { boundHeapGrowth } from '../memory-mode.js';
import { ssh2 } from '../../ssh/ssh2-library.js';
import { repeatable } from '../options/values.js';
import { settingValue } from '../../settings/resolve.js';

/** `sshpool worker --redis URL`: serves hosts queued by `run`/`script --redis` until SIGTERM or Ctrl-C, then finishes its running hosts. */
export function workerCommandModule(parser: Argv, io: CliIo): Argv {
  return parser.command(
    'worker',
    "Take hosts queued through Redis (run/script --redis) and work on them from here, with this machine's keys, agent, known_hosts and ssh_config",
    (command) =>
      withSettingsOptions(command, 'worker')
        .option('tag', { type: 'string', requiresArg: true, coerce: repeatable, describe: 'Take only the hosts whose sshpool_worker_tag is NAME (repeatable); without it, only the hosts with no tag' })
        .example('SSHPOOL_REDIS=redis://:PASSWORD@queue:6379 $0 worker -f 64', 'work on 64 hosts at once')
        .example('$0 worker --redis redis://queue:6379 --tag dc2 --identity ~/.ssh/fleet', 'the hosts tagged dc2, with this key')
        .example('$0 worker -f 64 --concurrency-per-host 1', "one run at a time on any one host, whichever controllers' runs it serves"),
    async (args) => {
      const settings = await loadCliSettings(args, io);
      const url = redisUrl(settings);
      if (url === undefined) throw new UsageError('worker: name the Redis to take hosts from: --redis URL (or $SSHPOOL_REDIS, or a settings file)');
      const tags = ((args.tag as string[] | undefined) ?? []).map((tag) => checkTag(tag, '--tag'));
      // No terminal to ask on: a key with a passphrase must come through the worker's agent.
      const { passphrasePrompt: _unused, ...options } = toRunOptions(settings);
      const log = (line: string): void => void io.stderr.write(`sshpool worker: ${escapeControlCharacters(line)}\n`);
      const worker = await QueueWorker.start({ ...options, url, tags, log, concurrencyPerHost: settingValue(settings, 'concurrency-per-host') });
      // A worker serves hosts for as long as it runs: its heap is bounded from the start, once ssh2
      // is loaded (a V8 flag set before its code cache is read would have V8 reject that cache).
      ssh2();
      boundHeapGrowth();
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
      log(`${signal}: taking no more hosts, finishing the running ones`);
      await worker.stop();
      log('stopped');
    },
  );
}
