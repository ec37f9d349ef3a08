import type { Argv } from 'yargs';
import { PingTextOutput } from '../../output/ping-output.js';
import type { TextOutputStreams } from '../../output/text-output.js';
import { streamPing } from '../../run/host-run.js';
import type { CliIo } from '../cli.js';
import { selectHosts, withInventoryOptions } from '../options/inventory-options.js';
import { toRunOutputOptions, withOutputOptions } from '../options/output-options.js';
import { toSshOptions, withForks, withSshOptions } from '../options/ssh-options.js';
import { runAndReport } from '../run-and-report.js';
import { parsePositiveInteger } from '../options/values.js';

export function pingCommandModule(parser: Argv, io: CliIo): Argv {
  return parser.command(
    'ping',
    'Connect and authenticate to every selected host, run nothing',
    (command) =>
      withForks(withOutputOptions(withSshOptions(withInventoryOptions(command))))
        .example('$0 ping -i hosts.yaml -l web', 'check that every web host accepts us'),
    async (args) => {
      const options = { ...toSshOptions(args), forks: parsePositiveInteger(args.forks, '--forks') };
      const outputOptions = { ...toRunOutputOptions(args, io), reportTitle: 'ping', textOutput: (streams: TextOutputStreams) => new PingTextOutput(streams) };
      const { hosts } = await selectHosts(args, io);
      await runAndReport(io, hosts, outputOptions, (runOptions) => streamPing(hosts, { ...options, ...runOptions }));
    },
  );
}
