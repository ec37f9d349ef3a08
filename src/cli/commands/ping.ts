import type { Argv } from 'yargs';
import { PingTextOutput } from '../../output/ping-output.js';
import { RunOutput } from '../../output/run-output.js';
import type { TextOutputStreams } from '../../output/text-output.js';
import { streamPing } from '../../run/host-run.js';
import type { CliIo } from '../cli.js';
import { exitCodeForResults } from '../exit-codes.js';
import { stopOnInterrupt } from '../interrupt.js';
import { selectHosts, withInventoryOptions } from '../options/inventory-options.js';
import { toRunOutputOptions, withOutputOptions } from '../options/output-options.js';
import { toSshOptions, withSshOptions } from '../options/ssh-options.js';
import { parsePositiveInteger } from '../options/values.js';

export function pingCommandModule(parser: Argv, io: CliIo): Argv {
  return parser.command(
    'ping',
    'Connect and authenticate to every selected host, run nothing',
    (command) =>
      withOutputOptions(withSshOptions(withInventoryOptions(command)))
        .option('forks', { alias: 'f', type: 'number', default: 32, describe: 'Hosts worked on at once' })
        .example('$0 ping -i hosts.yaml -l web', 'check that every web host accepts us'),
    async (args) => {
      const options = { ...toSshOptions(args), forks: parsePositiveInteger(args.forks, '--forks') };
      const outputOptions = { ...toRunOutputOptions(args, io), reportTitle: 'ping', textOutput: (streams: TextOutputStreams) => new PingTextOutput(streams) };
      const { hosts } = await selectHosts(args, io);
      const output = await RunOutput.create(io, hosts.map((host) => host.name), outputOptions);
      const run = streamPing(hosts, options);
      output.attach(run);
      const results = await stopOnInterrupt(run, io);
      await output.finish(results);
      io.setExitCode(exitCodeForResults(results));
    },
  );
}
