import type { Argv } from 'yargs';
import { renderEffectiveJson, renderEffectiveText } from '../../settings/render.js';
import type { CliIo } from '../cli.js';
import { loadCliSettings, withSettingsOptions } from '../options/settings-options.js';

/** `sshpool config`: every effective setting and where it came from, for the flags given with it too. */
export function configCommandModule(parser: Argv, io: CliIo): Argv {
  return parser.command(
    'config',
    'Show every setting in effect and where it came from (default, settings file and line, variable, flag)',
    (command) =>
      withSettingsOptions(command, 'config')
        .option('json', { type: 'boolean', default: false, describe: 'Print them as JSON: {"forks": {"value": 32, "source": "default"}, ...}' })
        .example('$0 config', 'the settings a run would use here')
        .example('SSHPOOL_FORKS=64 $0 config --json', 'the same as JSON'),
    async (args) => {
      const settings = await loadCliSettings(args, io);
      io.stdout.write(args.json ? renderEffectiveJson(settings) : renderEffectiveText(settings));
    },
  );
}
