import type { Argv } from 'yargs';
import { UsageError } from '../../errors.js';
import { FilesTextOutput } from '../../output/files-output.js';
import type { TextOutputStreams } from '../../output/text-output.js';
import { streamFiles } from '../../run/host-run.js';
import { copyTask, fetchTask } from '../../tasks/index.js';
import type { CopyTask, FetchTask } from '../../tasks/index.js';
import type { CliIo } from '../cli.js';
import { selectHosts, withInventoryOptions } from '../options/inventory-options.js';
import { toRunOutputOptions, withOutputOptions } from '../options/output-options.js';
import { loadCliSettings, toRunOptions, withSettingsOptions } from '../options/settings-options.js';
import { toSchedulePolicy } from '../options/policy-options.js';
import { toVaultSecrets, withVaultOptions } from '../options/vault-options.js';
import { becomePassword, withVarsOption } from '../options/command-options.js';
import type { VarsArgs } from '../options/command-options.js';
import { runAndReportHereOrOnWorkers } from '../run-and-report.js';
import { redisUrl, refuseWithRedis } from '../options/redis-options.js';

/** The options copy and fetch share: their settings, inventory, output, -r, --preserve. */
function withFileOptions<T>(parser: Argv<T>, command: 'copy' | 'fetch') {
  return withSettingsOptions(withVarsOption(withOutputOptions(withVaultOptions(withInventoryOptions(parser))), 'the remote paths', false), command)
    .positional('paths', { type: 'string', array: true })
    .option('recursive', { alias: 'r', type: 'boolean', default: false, describe: 'Copy directories whole (scp -r)' })
    .option('preserve', { type: 'boolean', default: false, describe: 'Keep access and modification times (scp -p; -p is --port here)' });
}

/** The last path is the target, the others the sources. */
function splitPaths(paths: readonly unknown[] | undefined, command: string, usage: string): { sources: string[]; target: string } {
  const words = (paths ?? []).map(String);
  if (words.length < 2) throw new UsageError(`${command} needs ${usage}`);
  return { sources: words.slice(0, -1), target: words.at(-1)! };
}

type FileArgs = VarsArgs & Parameters<typeof loadCliSettings>[0] & Parameters<typeof toVaultSecrets>[0] & Parameters<typeof selectHosts>[0] & Parameters<typeof toRunOutputOptions>[0];

/**
 * Reads the settings, the task (told whether it goes through Redis) and the
 * hosts, then runs the task on every host, here or on workers, with run's
 * output modes, records and exit codes.
 */
async function runFiles(args: FileArgs, io: CliIo, makeTask: (throughRedis: boolean) => Promise<CopyTask | FetchTask>, verb: string): Promise<void> {
  const settings = await loadCliSettings(args, io);
  refuseWithRedis(settings);
  const task = await makeTask(redisUrl(settings) !== undefined);
  // Only copy has become settings (its --owner/--mode step); the password is asked once, before any host.
  const options = { ...toRunOptions(settings), vaultSecrets: await toVaultSecrets(args), policy: toSchedulePolicy(settings, io), becomePassword: await becomePassword(settings) };
  const textOutput = (streams: TextOutputStreams) => new FilesTextOutput(streams, verb);
  const outputOptions = { ...toRunOutputOptions(args, settings, io), reportTitle: task.kind, textOutput };
  const { hosts } = await selectHosts(args, io);
  await runAndReportHereOrOnWorkers(io, settings, hosts, outputOptions, (runOptions) => streamFiles(hosts, task, { ...options, ...runOptions, templateCommands: args.vars }));
}

export function copyCommandModule(parser: Argv, io: CliIo): Argv {
  return parser.command(
    'copy <paths..>',
    'Upload local files (LOCAL... REMOTE) to every selected host over SFTP',
    (command) =>
      withFileOptions(command, 'copy')
        .option('checksum', { type: 'boolean', default: false, describe: "Skip files whose remote SHA-256 (the host's sha256sum) matches; counted unchanged" })
        .option('owner', { type: 'string', requiresArg: true, describe: 'chown USER[:GROUP] what was copied, after the renames' })
        .option('mode', { type: 'string', requiresArg: true, describe: 'chmod MODE (0644, u+x,go-w) what was copied, after the renames' })
        .example('$0 copy -i hosts.yaml app.conf /etc/app/', 'app.conf into /etc/app/ on every host')
        .example('$0 copy -i hosts.yaml -r --checksum site/ /srv/www', 'a tree; files already there unchanged are skipped')
        .epilog('Each file goes to a temporary name beside its target and is renamed over it. Exit codes as run: 5 when a host had a file error.'),
    async (args) => {
      const { sources, target } = splitPaths(args.paths, 'copy', 'LOCAL... REMOTE');
      // Through Redis every file is hashed now: each distinct content is stored there once, by its SHA-256.
      const task = (throughRedis: boolean) => copyTask(sources, target, { recursive: args.recursive, preserve: args.preserve, checksum: args.checksum, owner: args.owner, mode: args.mode, sha256: throughRedis });
      await runFiles(args, io, task, 'sent');
    },
  );
}

export function fetchCommandModule(parser: Argv, io: CliIo): Argv {
  return parser.command(
    'fetch <paths..>',
    'Download remote files (REMOTE... LOCALDIR) from every selected host into LOCALDIR/<host>/<path>',
    (command) =>
      withFileOptions(command, 'fetch')
        .example('$0 fetch -i hosts.yaml /etc/os-release collected/', 'collected/<host>/etc/os-release for every host')
        .epilog('Host names are made into directory names as --out-dir does. Each file is written to a temporary name and renamed.'),
    async (args) => {
      const { sources, target } = splitPaths(args.paths, 'fetch', 'REMOTE... LOCALDIR');
      await runFiles(args, io, () => Promise.resolve(fetchTask(sources, target, { recursive: args.recursive, preserve: args.preserve })), 'received');
    },
  );
}
