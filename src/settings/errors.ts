import { InputError } from '../errors.js';

/** READ: a file cannot be read; SYNTAX: not YAML; KEY: an unknown key (the closest one suggested); VALUE: a wrong type or value; SECRET: a key naming a secret (password, token), which settings files never hold: `sshpool config` shows every value. */
export type SettingsErrorCode = 'SETTINGS_READ' | 'SETTINGS_SYNTAX' | 'SETTINGS_KEY' | 'SETTINGS_VALUE' | 'SETTINGS_SECRET';

/** Where a bad setting was given: a file position (1-based), or an environment variable. */
export interface SettingsLocation {
  /** The settings file, as found. */
  file?: string;
  /** 1-based. */
  line?: number;
  /** 1-based. */
  column?: number;
  /** The settings-file key at fault. */
  key?: string;
  /** The SSHPOOL_* variable at fault. */
  variable?: string;
}

/**
 * A settings file or SSHPOOL_* variable cannot be used. The message leads
 * with `file:line:column` so editors can jump to it (a variable's reason
 * leads with the variable's name); the
 * CLI exits 2, as for any other bad input, before any host is touched.
 */
export class SettingsError extends InputError<SettingsErrorCode> {
  /** Where it was given, for tools that point at it. */
  readonly location: SettingsLocation;

  constructor(code: SettingsErrorCode, reason: string, location: SettingsLocation, options?: { cause?: unknown }) {
    super(code, location.file === undefined ? reason : `${position(location)}: ${reason}`, options);
    this.location = location;
  }
}

function position({ file, line, column }: SettingsLocation): string {
  return [file, line, column].filter((part) => part !== undefined).join(':');
}
