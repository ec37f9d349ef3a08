import type { Argv } from 'yargs';
import { loadInventory } from '../inventory/index.js';
import { repeatable } from './options/values.js';

/** The hidden flag the scripts call back with, yargs's own. */
export const COMPLETION_FLAG = '--get-yargs-completions';

/** The shells `sshpool completion` writes scripts for. */
export const COMPLETION_SHELLS = ['bash', 'zsh'] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

/** Where a host pattern's last name starts: after Ansible's separators `:`, `,`, and the `&`, `!` before a name. */
const PATTERN_PREFIX = /^.*[:,&!]/;

/** Thrown instead of running a command whose command line is only being completed. */
export class CompletingOnly extends Error {}

/**
 * Has yargs answer `sshpool --get-yargs-completions WORDS...` (its commands,
 * flags and choices), and after `-l`/`--limit` the host and group names of
 * the inventory that `-i` names on that command line. The completion command
 * itself is yargs's hidden one: `sshpool completion` writes our scripts.
 */
export function withCompletion(parser: Argv, completing: boolean): Argv {
  // yargs parses the words being completed as a command line, and would then run its command:
  // a half-typed `sshpool run ... -- rm` must never run anything.
  const guarded = completing
    ? parser.middleware(() => {
        throw new CompletingOnly('completing a command line');
      })
    : parser;
  return guarded.completion('yargs-completion-script', false, async (current: string, argv: { inventory?: unknown; i?: unknown }, defaultCompletion: () => void, done: (completions: string[]) => void) => {
    const words = process.argv.slice(process.argv.indexOf(COMPLETION_FLAG) + 1);
    const previous = words.at(-2);
    if (previous !== '-l' && previous !== '--limit') return defaultCompletion();
    const prefix = PATTERN_PREFIX.exec(current)?.[0] ?? '';
    // The words are parsed with the top level's options only, where -i is not yet known as --inventory.
    done((await inventoryNames(argv.inventory ?? argv.i)).map((name) => `${prefix}${name}`).filter((word) => word.startsWith(current)));
  });
}

/** Group names, then host names; none when no inventory was named or it cannot be read (completion must never fail loudly). */
async function inventoryNames(inventory: unknown): Promise<string[]> {
  const sources = inventory === undefined ? [] : repeatable(inventory as string | string[]);
  if (sources.length === 0) return [];
  try {
    const loaded = await loadInventory(sources);
    return [...loaded.groupNames, ...loaded.hosts.map((host) => host.name)];
  } catch {
    return [];
  }
}

/**
 * The script a shell sources: it calls `sshpool --get-yargs-completions` with the words up to the
 * cursor; bash's keeps the candidates that start with the current word (zsh's _describe matches
 * them itself). Candidates are compared, never expanded (compgen -W would run a `$(...)` found
 * in an inventory's names).
 */
export function completionScript(shell: CompletionShell): string {
  return shell === 'bash' ? BASH_SCRIPT : ZSH_SCRIPT;
}

const BASH_SCRIPT = `# sshpool completion for bash: \`source <(sshpool completion bash)\` in ~/.bashrc,
# or save it as ~/.local/share/bash-completion/completions/sshpool
_sshpool_completions() {
  local current="\${COMP_WORDS[COMP_CWORD]}" candidate
  COMPREPLY=()
  while IFS= read -r candidate; do
    if [[ $candidate == "$current"* ]]; then COMPREPLY+=("$candidate"); fi
  done < <("\${COMP_WORDS[0]}" ${COMPLETION_FLAG} "\${COMP_WORDS[@]:0:COMP_CWORD+1}" 2>/dev/null)
}
complete -o default -F _sshpool_completions sshpool
`;

const ZSH_SCRIPT = `#compdef sshpool
# sshpool completion for zsh: \`source <(sshpool completion zsh)\` in ~/.zshrc (after compinit),
# or save it as _sshpool in a directory of $fpath
_sshpool() {
  local -a candidates
  candidates=("\${(@f)$(ZSH_NAME=zsh "\${words[1]}" ${COMPLETION_FLAG} "\${(@)words[1,CURRENT]}" 2>/dev/null)}")
  candidates=("\${(@)candidates:#}")
  if (( \${#candidates} )); then
    _describe 'values' candidates
  else
    _default
  fi
}
if [[ "\${zsh_eval_context[-1]}" == "loadautofunc" ]]; then
  _sshpool "$@"
else
  compdef _sshpool sshpool
fi
`;
