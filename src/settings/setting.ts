import * as v from 'valibot';

/** The commands a setting applies to; `sshpool config` shows them all. */
export type SettingCommand = 'run' | 'script' | 'copy' | 'fetch' | 'ping' | 'shell' | 'hosts' | 'worker';

/** How the flag is given on the command line, and how an environment variable's text becomes the raw value. */
export type FlagKind = 'string' | 'boolean' | 'repeatable';

/**
 * One setting, declared once: everything else (yargs options, the library's
 * option types and defaults, settings files, `SSHPOOL_*` variables, `sshpool
 * config`, config/default.yaml and the README's table) is derived from it.
 */
export interface SettingDeclaration<Raw = unknown, Value = unknown> {
  /** The long flag (`--connect-timeout`), the settings-file key, and, upper-cased, the variable (SSHPOOL_CONNECT_TIMEOUT). */
  key: string;
  /** The one-letter flag. */
  alias?: string;
  /** The RunOptions field the parsed value goes to; none for settings only the CLI acts on (--ask-pass asks on its terminal). */
  field?: string;
  /** SshOptions holds what every connecting command takes; RunOptions adds what only `run` uses. */
  options?: 'ssh' | 'run';
  /** How the flag is given: a value, on/off (`--no-` too), or repeated for a list. */
  flag: FlagKind;
  /** The shapes a settings file may give (a YAML number or the flag's text, a list or one path). */
  input: v.GenericSchema<unknown, Raw>;
  /** From the raw value to the library's; errors name `label` (the flag, the variable or the file key). None: the raw value is the library's. */
  parse?: (raw: Raw, label: string) => Value;
  /** The values the flag accepts, for help and yargs. */
  choices?: readonly string[];
  /** A path (or paths): relative to the settings file's directory when given in one. */
  path?: boolean;
  /** As the user writes it; the library's default is this, parsed. */
  default?: Raw;
  /** What an unset setting means, for help and documentation (`~/.ssh/config`, "no limit"). */
  unset?: string;
  /**
   * Given in a settings file or variable, it ranks below the host's inventory
   * vars (as ansible.cfg's remote_user does); given as a flag, above them.
   */
  perHost?: boolean;
  /** One line, used by --help, config/default.yaml and the README's table. */
  help: string;
  /** The commands that take it. */
  commands: readonly SettingCommand[];
}

/** A declaration with its key, field name, options interface and default kept as literal types, for the types derived from it. */
export type TypedSetting<Raw, Value, Key extends string, Field extends string, Options extends 'ssh' | 'run', Default> = SettingDeclaration<Raw, Value> & {
  readonly key: Key;
  readonly field?: Field;
  readonly options?: Options;
  readonly default?: Default;
};

/** Declares one setting, keeping its raw and parsed types for what is derived from it. */
export function setting<
  Raw,
  Value = Raw,
  const Key extends string = string,
  const Field extends string = never,
  const Options extends 'ssh' | 'run' = never,
  const Default extends Raw = never,
>(
  declaration: SettingDeclaration<Raw, Value> & { key: Key; field?: Field; options?: Options; default?: Default },
): TypedSetting<Raw, Value, Key, Field, Options, Default> {
  return declaration;
}

/** What a declaration's optional literal member holds; never when it was not given. */
type Given<S, Member extends string> = S extends { readonly [K in Member]?: infer T } ? NonNullable<T> : never;

/** The library's field of a setting in the given options interface, or never. */
type FieldIn<S, Options> = [Given<S, 'options'>] extends [never] ? never : Given<S, 'options'> extends Options ? Extract<Given<S, 'field'>, string> : never;

type ValueOf<S> = S extends SettingDeclaration<any, infer Value> ? Value : never;

/** The fields of one options interface ('ssh' or 'run'), typed as their settings parse them. */
export type OptionsOf<Settings extends readonly unknown[], Options extends 'ssh' | 'run'> = {
  [S in Settings[number] as FieldIn<S, Options>]?: ValueOf<S>;
};

/** The library's defaults: the declared default of every setting with a field, parsed. */
export type DefaultsOf<Settings extends readonly unknown[]> = {
  [S in Settings[number] as [Given<S, 'default'>] extends [never] ? never : FieldIn<S, 'ssh' | 'run'>]: ValueOf<S>;
};

/** Each setting's parsed value by key (undefined when unset and without a default). */
export type ValuesOf<Settings extends readonly unknown[]> = {
  [S in Settings[number] as S extends { readonly key: infer Key extends string } ? Key : never]: ValueOf<S> | undefined;
};

/** A raw value (already of the setting's input shape) as the library takes it. */
export function parseSetting(declaration: SettingDeclaration, raw: unknown, label: string): unknown {
  return declaration.parse ? declaration.parse(raw, label) : raw;
}

/** SSHPOOL_CONNECT_TIMEOUT for connect-timeout. */
export function environmentVariable(key: string): string {
  return `SSHPOOL_${key.toUpperCase().replace(/-/g, '_')}`;
}

/** `-f, --forks`, as help and documentation show a flag. */
export function flagText(declaration: Pick<SettingDeclaration, 'key' | 'alias' | 'flag'>): string {
  const long = declaration.flag === 'boolean' ? `--[no-]${declaration.key}` : `--${declaration.key}`;
  return declaration.alias ? `-${declaration.alias}, ${long}` : long;
}
