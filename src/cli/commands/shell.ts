import type { Argv } from 'yargs';
import { escapeControlCharacters } from '../../output/untrusted-text.js';
import { SessionCache } from '../../session/session-cache.js';
import { settingValue } from '../../settings/resolve.js';
import { defaults } from '../../settings/schema.js';
import type { CliIo } from '../cli.js';
import { selectHosts, withInventoryOptions } from '../options/inventory-options.js';
import { loadCliSettings, toRunOptions, withSettingsOptions } from '../options/settings-options.js';
import { toVaultSecrets, withVaultOptions } from '../options/vault-options.js';
import { FanoutShell } from '../shell/fanout-shell.js';
import { historyPath, loadHistory } from '../shell/history.js';

/** `sshpool shell`: clush's interactive mode, each line typed run on every selected host over connections kept open. */
export function shellCommandModule(parser: Argv, io: CliIo): Argv {
  return parser.command(
    'shell',
    'Interactive: each line typed runs on every selected host, over connections kept open',
    (command) =>
      withSettingsOptions(withVaultOptions(withInventoryOptions(command)), 'shell')
        .option('stream', { type: 'boolean', default: false, describe: 'Start with output streamed line by line (host-prefixed) instead of gathered by host set (:stream, :gather switch)' })
        .example('$0 shell -i hosts.yaml -l web', 'a prompt; each line runs on the web hosts')
        .example('$0 shell -i hosts.yaml -f 64 -t 30', '64 hosts at once, 30 s per command')
        .epilog(
          'Built-ins: :limit PATTERN, :hosts, :forks N, :gather, :stream, :help, :quit (or Ctrl-D). Ctrl-C kills the running command on every host. ' +
            'History: ${XDG_STATE_HOME:-~/.local/state}/sshpool/history.',
        ),
    async (args) => {
      const settings = await loadCliSettings(args, io);
      const runOptions = { ...toRunOptions(settings), vaultSecrets: await toVaultSecrets(args) };
      const { inventory } = await selectHosts(args, io);
      const sessions = await SessionCache.create(runOptions);
      for (const warning of sessions.sshConfig.warnings) io.stderr.write(`sshpool: warning: ${escapeControlCharacters(warning)}\n`);
      const sanitize = settingValue(settings, 'sanitize');
      const sink = (stream: CliIo['stdout']) => ({ isTTY: stream.isTTY, sanitize, write: (text: string) => stream.write(text) });
      const historyFile = historyPath();
      const shell = new FanoutShell(
        inventory,
        { inventory, settings: runOptions, sessions, streams: { stdout: sink(io.stdout), stderr: sink(io.stderr) } },
        { input: process.stdin, output: io.stdout },
        { limit: args.limit, forks: runOptions.forks ?? defaults.forks, mode: args.stream ? 'stream' : 'gather', historyFile, history: historyFile === undefined ? [] : await loadHistory(historyFile) },
      );
      try {
        await shell.run();
      } finally {
        sessions.close();
      }
    },
  );
}
