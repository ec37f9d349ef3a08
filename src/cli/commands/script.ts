import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Argv } from 'yargs';
import { InputError } from '../../errors.js';
import { streamScript } from '../../run/host-run.js';
import type { CliIo } from '../cli.js';
import { selectHosts, withInventoryOptions } from '../options/inventory-options.js';
import { toRunOutputOptions, withOutputOptions } from '../options/output-options.js';
import { loadCliSettings, toRunOptions, withSettingsOptions } from '../options/settings-options.js';
import { toSchedulePolicy } from '../options/policy-options.js';
import { toVaultSecrets, withVaultOptions } from '../options/vault-options.js';
import { becomePassword, toTerminalOptions, withTerminalOptions, withVarsOption } from '../options/command-options.js';
import { runAndReportHereOrOnWorkers } from '../run-and-report.js';
import { refuseWithRedis } from '../options/redis-options.js';

/** `sshpool script FILE [-- ARGS...]`: a local script run on every host, from a private temporary copy removed afterwards. */
export function scriptCommandModule(parser: Argv, io: CliIo): Argv {
  return parser.command(
    'script <file> [args..]',
    'Upload a local script to every selected host, run it there with its shebang, then remove it',
    (command) =>
      withSettingsOptions(withVarsOption(withTerminalOptions(withOutputOptions(withVaultOptions(withInventoryOptions(command)))), "the script's arguments", false), 'script')
        .positional('file', { type: 'string', describe: 'The local script; its first line (#!) names the interpreter on the hosts' })
        .positional('args', { type: 'string', array: true, describe: 'Its arguments (put them after --), each shell-quoted' })
        .example('$0 script -i hosts.yaml check.sh -- --verbose', 'check.sh on every host, with one argument')
        .example("$0 script -i hosts.yaml --vars report.sh -- '{{ inventory_hostname }}'", "each host's own name as the argument")
        .example('$0 script -i hosts.yaml -s -K -t 300 upgrade.sh', 'as root through sudo, killed (and removed) after 5 minutes'),
    async (args) => {
      const file = String(args.file);
      const words = [...(args.args ?? []), ...((args['--'] as unknown[] | undefined) ?? [])].map(String);
      const script = await readScript(file);
      const settings = await loadCliSettings(args, io);
      refuseWithRedis(settings);
      const options = {
        ...toRunOptions(settings),
        ...toTerminalOptions(args),
        scriptName: basename(file),
        vaultSecrets: await toVaultSecrets(args),
        policy: toSchedulePolicy(settings, io),
        becomePassword: await becomePassword(settings),
      };
      const outputOptions = { ...toRunOutputOptions(args, settings, io), forks: options.forks, reportTitle: [file, ...words].join(' ') };
      const { hosts } = await selectHosts(args, io);
      await runAndReportHereOrOnWorkers(io, settings, hosts, outputOptions, (runOptions) => streamScript(hosts, script, words, { ...options, ...runOptions, templateCommands: args.vars }));
    },
  );
}

/** Read before any host is contacted: a missing or unreadable script stops the run there. */
async function readScript(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new InputError('SCRIPT_READ', `script ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { cause: error });
  }
}
