import { InputError } from '../errors.js';

export type SettingsErrorCode = 'SETTINGS_READ' | 'SETTINGS_SYNTAX' | 'SETTINGS_KEY' | 'SETTINGS_VALUE' | 'SETTINGS_SECRET';

/** Where a bad setting was given: a file position (1-based), or an environment variable. */
export interface SettingsLocation {
  file?: string;
  line?: number;
  column?: number;
  key?: string;
  variable?: string;
}

/**
 * A settings file or SSHPOOL_* variable cannot be used. The message leads
 * with `file:line:column` so editors can jump to it (a variable's reason
 * leads with the variable's name); the
 * CLI exits 2, as for any other bad input, before any host is touched.
 */
export class SettingsError extends InputError<SettingsErrorCode> {
  readonly location: SettingsLocation;

  constructor(code: SettingsErrorCode, reason: string, location: SettingsLocation, options?: { cause?: unknown }) {
    super(code, location.file === undefined ? reason : `${position(location)}: ${reason}`, options);
    this.location = location;
  }
}

function position({ file, line, column }: SettingsLocation): string {
  return [file, line, column].filter((part) => part !== undefined).join(':');
}
