import type { Argv } from 'yargs';
import { renderHostsJson, renderHostsText } from '../../output/hosts-output.js';
import { explainHosts } from '../../ssh/target-explanation.js';
import { escapeControlCharacters } from '../../output/untrusted-text.js';
import type { CliIo } from '../cli.js';
import { selectHosts, withInventoryOptions } from '../options/inventory-options.js';
import { loadCliSettings, toRunOptions, withSettingsOptions } from '../options/settings-options.js';
import { toVaultSecrets, withVaultOptions } from '../options/vault-options.js';

/** `sshpool hosts`: what `ssh -G` says, for every selected host, with where each value came from; connects to nothing. */
export function hostsCommandModule(parser: Argv, io: CliIo): Argv {
  return parser.command(
    'hosts',
    'Show how every selected host would be reached (address, port, user, keys, jumps, known_hosts, timeouts, become) and where each value came from, without connecting',
    (command) =>
      withSettingsOptions(withVaultOptions(withInventoryOptions(command)), 'hosts')
        .option('json', { type: 'boolean', default: false, describe: 'Print a JSON array, in inventory order, each host with its "origins"' })
        .example('$0 hosts -i hosts.yaml -l web', 'the web hosts, as ssh -G would show them')
        .example('$0 hosts -i hosts.yaml -F ~/.ssh/fleet.conf --json', 'the same as JSON, with another ssh_config'),
    async (args) => {
      const settings = await loadCliSettings(args, io);
      const options = { ...toRunOptions(settings), vaultSecrets: await toVaultSecrets(args) };
      const { hosts } = await selectHosts(args, io);
      const settingOrigin = (key: string) => settings.get(key)?.origin;
      const { reports, warnings } = await explainHosts(hosts, options, settingOrigin);
      for (const warning of warnings) io.stderr.write(`sshpool: warning: ${escapeControlCharacters(warning)}\n`);
      io.stdout.write(args.json ? renderHostsJson(reports) : renderHostsText(reports));
    },
  );
}
