import type { Argv } from 'yargs';
import type { CliIo } from '../cli.js';
import { COMPLETION_SHELLS, completionScript } from '../completion.js';
import type { CompletionShell } from '../completion.js';

/** `sshpool completion [bash|zsh]`: the script that completes commands, flags, and host and group names after -l. */
export function completionCommandModule(parser: Argv, io: CliIo): Argv {
  return parser.command(
    'completion [shell]',
    'Print the bash or zsh completion script: commands, flags, and after -l the host and group names of the inventory given with -i',
    (command) =>
      command
        .positional('shell', { choices: COMPLETION_SHELLS, default: 'bash' as CompletionShell, describe: 'The shell to complete in' })
        .example('source <($0 completion bash)', 'in ~/.bashrc')
        .example('$0 completion zsh > ~/.zsh/completions/_sshpool', 'a zsh completion function in $fpath'),
    (args) => {
      io.stdout.write(completionScript(args.shell as CompletionShell));
    },
  );
}
