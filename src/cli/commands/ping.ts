import type { Argv } from 'yargs';
import { PingTextOutput } from '../../output/ping-output.js';
import type { TextOutputStreams } from '../../output/text-output.js';
import { streamPing } from '../../run/host-run.js';
import type { CliIo } from '../cli.js';
import { selectHosts, withInventoryOptions } from '../options/inventory-options.js';
import { toRunOutputOptions, withOutputOptions } from '../options/output-options.js';
import { loadCliSettings, toRunOptions, withSettingsOptions } from '../options/settings-options.js';
import { toSchedulePolicy } from '../options/policy-options.js';
import { toVaultSecrets, withVaultOptions } from '../options/vault-options.js';
import { gatherAttached, runAndReportHereOrOnWorkers } from '../run-and-report.js';
import { refuseWithRedis, withAttachOption } from '../options/redis-options.js';

export function pingCommandModule(parser: Argv, io: CliIo): Argv {
  return parser.command(
    'ping',
    'Connect and authenticate to every selected host, run nothing',
    (command) =>
      withAttachOption(withSettingsOptions(withOutputOptions(withVaultOptions(withInventoryOptions(command))), 'ping'))
        .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'Also say how each host key was verified (known_hosts line or host certificate) and what logged in (key, certificate, agent)' })
        .example('$0 ping -i hosts.yaml -l web', 'check that every web host accepts us'),
    async (args) => {
      const settings = await loadCliSettings(args, io);
      const verbose = args.verbose;
      const textOutput = (streams: TextOutputStreams) => new PingTextOutput(streams, verbose);
      if (args.attach !== undefined) {
        await gatherAttached(io, args, settings, args.attach, { textOutput });
        return;
      }
      refuseWithRedis(settings);
      const options = { ...toRunOptions(settings), vaultSecrets: await toVaultSecrets(args), policy: toSchedulePolicy(settings, io), trust: verbose };
      const outputOptions = { ...toRunOutputOptions(args, settings, io), reportTitle: 'ping', textOutput };
      const { hosts } = await selectHosts(args, io);
      await runAndReportHereOrOnWorkers(io, settings, hosts, outputOptions, (runOptions) => streamPing(hosts, { ...options, ...runOptions }));
    },
  );
}
