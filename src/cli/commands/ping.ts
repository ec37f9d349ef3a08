import type { Argv } from 'yargs';
import { streamPing } from '../../run/host-run.js';
import type { CliIo } from '../cli.js';
import { exitCodeForResults } from '../exit-codes.js';
import { stopOnInterrupt } from '../interrupt.js';
import { selectHosts, withInventoryOptions } from '../options/inventory-options.js';
import { toSshOptions, withSshOptions } from '../options/ssh-options.js';
import { parsePositiveInteger } from '../options/values.js';

export function pingCommandModule(parser: Argv, io: CliIo): Argv {
  return parser.command(
    'ping',
    'Connect and authenticate to every selected host, run nothing',
    (command) =>
      withSshOptions(withInventoryOptions(command))
        .option('forks', { alias: 'f', type: 'number', default: 32, describe: 'Hosts worked on at once' })
        .example('$0 ping -i hosts.yaml -l web', 'check that every web host accepts us'),
    async (args) => {
      const options = { ...toSshOptions(args), forks: parsePositiveInteger(args.forks, '--forks') };
      const { hosts } = await selectHosts(args, io);
      const run = streamPing(hosts, options);
      run.on('hostDone', (result) => {
        const time = `${result.durationMs} ms`;
        if (result.status === 'ok') io.stdout.write(`${result.host}: ok ${time}\n`);
        else io.stdout.write(`${result.host}: ${result.status} ${time} ${result.error?.code ?? ''}: ${result.error?.message ?? ''}\n`);
      });
      io.setExitCode(exitCodeForResults(await stopOnInterrupt(run, io)));
    },
  );
}
