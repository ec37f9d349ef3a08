import type { Argv } from 'yargs';
import { attemptsToRetry, readResultsFile } from '../../output/results-file.js';
import { streamCommand } from '../../run/host-run.js';
import type { CliIo } from '../cli.js';
import { selectHosts, withInventoryOptions } from '../options/inventory-options.js';
import { toRunOutputOptions, withOutputOptions } from '../options/output-options.js';
import { loadCliSettings, toRunOptions, withSettingsOptions } from '../options/settings-options.js';
import { toSchedulePolicy } from '../options/policy-options.js';
import { toVaultSecrets, withVaultOptions } from '../options/vault-options.js';
import { gatherAttached, runAndReportHereOrOnWorkers } from '../run-and-report.js';
import { repeatable } from '../options/values.js';
import { commandLines } from '../options/command-lines.js';
import { refuseWithRedis, withAttachOption } from '../options/redis-options.js';
import { becomePassword, readLocalStdin, toTerminalOptions, withStdinOption, withTerminalOptions, withVarsOption } from '../options/command-options.js';

export function runCommandModule(parser: Argv, io: CliIo): Argv {
  return parser.command(
    'run [command..]',
    'Run a shell command on every selected host',
    (command) =>
      withAttachOption(withSettingsOptions(withVarsOption(withStdinOption(withTerminalOptions(withOutputOptions(withVaultOptions(withInventoryOptions(command))))), 'the command', true), 'run'))
        .positional('command', { type: 'string', array: true, describe: 'The command line, given to each remote shell as is (put it after --)' })
        .option('cmd', { alias: 'c', type: 'string', requiresArg: true, coerce: repeatable, describe: 'A command line (repeatable): each runs in turn on every host, over one SSH connection per host, with its own record' })
        .option('out-dir', { type: 'string', requiresArg: true, describe: "Write each host's output to DIR/<host>.out and DIR/<host>.err as it arrives (pssh -o/-e)" })
        .option('retry-failed', { type: 'string', requiresArg: true, describe: 'Run only the hosts that did not end ok in this --results file (still selected from -i and -l)' })
        .example('$0 run -i hosts.yaml -- uptime', 'uptime on every host of the inventory')
        .example("$0 run -i hosts.yaml -l 'web:&prod' -f 64 -t 30 -- 'systemctl is-active nginx'", 'a pattern, 64 at once, 30 s per host')
        .example('$0 run -i web1,web2, -u deploy -- df -h /', 'hosts listed inline, as Ansible allows')
        .example('$0 run -i hosts.yaml -b --results r.json --report r.html -- uname -r', 'identical output grouped; records and an HTML timeline kept')
        .example('$0 run -i hosts.yaml --retry-failed r.json -- uname -r', 'again, on the hosts that did not succeed in r.json')
        .example('$0 run -i hosts.yaml -s -K -- apt-get -y upgrade', 'as root through sudo, its password asked once')
        .example('$0 run -i hosts.yaml -I -- "cat > /etc/motd" < motd', 'the local stdin sent to every host')
        .example("$0 run -i hosts.yaml --vars -- 'curl -s localhost:{{ http_port }}/health'", "each host's own http_port, quoted for its shell")
        .epilog('Exit codes (as pssh): 0 all ok, 1 other error, 2 usage or inventory error, 3 a host timed out or was killed, 4 a host had an SSH error (unreachable, auth, host key), 5 a remote command exited non-zero.'),
    async (args) => {
      if (args.attach !== undefined) {
        await gatherAttached(io, args, await loadCliSettings(args, io), args.attach);
        return;
      }
      const words = [...(args.command ?? []), ...((args['--'] as unknown[] | undefined) ?? [])].map(String);
      const commands = commandLines(args.cmd, words);
      const settings = await loadCliSettings(args, io);
      refuseWithRedis(settings);
      const stdin = args.stdin ? await readLocalStdin() : undefined;
      const options = {
        ...toRunOptions(settings),
        ...toTerminalOptions(args),
        stdin,
        vaultSecrets: await toVaultSecrets(args),
        policy: toSchedulePolicy(settings, io),
        becomePassword: await becomePassword(settings),
      };
      const outputOptions = { ...toRunOutputOptions(args, settings, io), outDir: args.outDir, forks: options.forks, reportTitle: commands.join('; '), commands };
      let { hosts } = await selectHosts(args, io);
      const attempts = args.retryFailed === undefined ? undefined : attemptsToRetry(await readResultsFile(args.retryFailed));
      if (attempts) {
        hosts = hosts.filter((host) => attempts.has(host.name));
        if (hosts.length === 0) {
          io.stderr.write(`sshpool: nothing to retry: no selected host failed in ${args.retryFailed}\n`);
          return;
        }
      }
      await runAndReportHereOrOnWorkers(io, settings, hosts, outputOptions, (runOptions) => streamCommand(hosts, commands, { ...options, ...runOptions, attempts, templateCommands: args.vars }));
    },
  );
}
