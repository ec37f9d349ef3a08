import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { SettingsError } from '../../src/settings/errors.js';
import { mergeSettings, settingValue } from '../../src/settings/resolve.js';
import { parseSettingsFile, readEnvironment, readFlags, readSettingsFile } from '../../src/settings/sources.js';
import { UsageError } from '../../src/errors.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';

function settingsError(read: () => unknown): SettingsError {
  try {
    read();
  } catch (error) {
    if (error instanceof SettingsError) return error;
    throw error;
  }
  throw new Error('no SettingsError thrown');
}

describe('settings sources', () => {
  const tempDir = tempDirPerTest('sshpool-settings-');

  it('reads YAML typed values and the flag texts alike', () => {
    const given = parseSettingsFile('/x/sshpool.yaml', 'forks: 64\nconnect-timeout: "2.5"\nmax-output: 512K\nagent: false\noutput: json\n');
    const settings = mergeSettings(given);
    expect(settingValue(settings, 'forks')).to.equal(64);
    expect(settingValue(settings, 'connect-timeout')).to.equal(2500);
    expect(settingValue(settings, 'max-output')).to.equal(512 * 1024);
    expect(settingValue(settings, 'agent')).to.equal(false);
    expect(settingValue(settings, 'output')).to.equal('json');
    expect(settings.get('connect-timeout')!.origin).to.deep.equal({ source: 'file', file: '/x/sshpool.yaml', line: 2, column: 18 });
  });

  it('names file, line, column and key for an unknown key, suggesting the closest', () => {
    const error = settingsError(() => parseSettingsFile('/x/sshpool.yaml', 'forks: 4\n  # comment\nconect-timeout: 5\n'));
    expect(error.code).to.equal('SETTINGS_KEY');
    expect(error.message).to.equal("/x/sshpool.yaml:3:1: unknown setting 'conect-timeout' (did you mean 'connect-timeout'?)");
    expect(error.location).to.deep.equal({ file: '/x/sshpool.yaml', line: 3, column: 1, key: 'conect-timeout' });
    expect(settingsError(() => parseSettingsFile('/x/a.yaml', 'colour: red\n')).message).to.equal("/x/a.yaml:1:1: unknown setting 'colour'");
  });

  it('names file, line, column and key for a value of the wrong type or out of range', () => {
    const list = settingsError(() => parseSettingsFile('/x/a.yaml', 'user: deploy\nforks: [1, 2]\n'));
    expect([list.code, list.message]).to.deep.equal(['SETTINGS_VALUE', '/x/a.yaml:2:8: forks: expected a number or a string, not a list']);
    const zero = settingsError(() => parseSettingsFile('/x/a.yaml', 'forks: 0\n'));
    expect(zero.message).to.equal('/x/a.yaml:1:8: forks: 0 is not a whole number of at least 1');
    const choice = settingsError(() => parseSettingsFile('/x/a.yaml', 'strict-host-key-checking: maybe\n'));
    expect(choice.message).to.equal('/x/a.yaml:1:27: strict-host-key-checking: "maybe" is not one of yes, accept-new, no');
    const empty = settingsError(() => parseSettingsFile('/x/a.yaml', 'user:\n'));
    expect(empty.message).to.equal('/x/a.yaml:1:6: user: expected a string, not nothing');
    expect(settingsError(() => parseSettingsFile('/x/a.yaml', 'agent: maybe\n')).message).to.equal('/x/a.yaml:1:8: agent: expected true or false, not string "maybe"');
  });

  it('refuses a password in a settings file, pointing at --ask-pass and the vault', () => {
    for (const key of ['password', 'ansible_password', 'become-pass', 'passphrase']) {
      const error = settingsError(() => parseSettingsFile('/x/a.yaml', `forks: 2\n${key}: hunter2\n`));
      expect(error.code, key).to.equal('SETTINGS_SECRET');
      expect(error.message).to.include('/x/a.yaml:2:1').and.include('--ask-pass').and.include('vault');
      expect(error.message).not.to.include('hunter2');
    }
  });

  it('refuses YAML that is not a mapping, with its position', () => {
    expect(settingsError(() => parseSettingsFile('/x/a.yaml', 'forks: [1\n')).code).to.equal('SETTINGS_SYNTAX');
    const list = settingsError(() => parseSettingsFile('/x/a.yaml', '- forks\n'));
    expect([list.code, list.message]).to.deep.equal(['SETTINGS_SYNTAX', '/x/a.yaml:1:1: a settings file is a mapping of setting names to values (forks: 64)']);
    expect(parseSettingsFile('/x/a.yaml', '# nothing set\n')).to.deep.equal([]);
  });

  it('takes a missing file as empty and names one it cannot read', async () => {
    expect(await readSettingsFile(path.join(tempDir(), 'none.yaml'))).to.deep.equal([]);
    const directory = path.join(tempDir(), 'config.yaml');
    await mkdir(directory);
    const error = await readSettingsFile(directory).then(() => undefined, (caught: unknown) => caught);
    expect(error).to.be.instanceOf(SettingsError);
    expect((error as SettingsError).code).to.equal('SETTINGS_READ');
    expect((error as SettingsError).message).to.match(new RegExp(`^${directory}: cannot read settings file: EISDIR`));
  });

  it("resolves a file's relative paths against its directory, leaving absolute and ~ paths", async () => {
    const file = path.join(tempDir(), 'etc', 'sshpool.yaml');
    await mkdir(path.dirname(file));
    await writeFile(file, 'ssh-config: ssh/config\nidentity: [keys/a, /abs/b, ~/c]\nknown-hosts: kh\n');
    const settings = mergeSettings(await readSettingsFile(file));
    expect(settingValue(settings, 'ssh-config')).to.equal(path.join(tempDir(), 'etc', 'ssh', 'config'));
    expect(settingValue(settings, 'identity')).to.deep.equal([path.join(tempDir(), 'etc', 'keys', 'a'), '/abs/b', '~/c']);
    expect(settingValue(settings, 'known-hosts')).to.deep.equal([path.join(tempDir(), 'etc', 'kh')]);
  });

  it('reads SSHPOOL_* variables as flag texts, naming the variable when one is bad', () => {
    const { given, warnings } = readEnvironment({ SSHPOOL_FORKS: '8', SSHPOOL_AGENT: 'no', SSHPOOL_IDENTITY: 'a:b', SSHPOOL_USER: '', HOME: '/root' });
    const settings = mergeSettings(given);
    expect([settingValue(settings, 'forks'), settingValue(settings, 'agent'), settingValue(settings, 'identity')]).to.deep.equal([8, false, ['a', 'b']]);
    expect(settings.get('user')!.origin.source, 'an empty variable is unset').to.equal('default');
    expect(warnings).to.deep.equal([]);
    const bad = settingsError(() => readEnvironment({ SSHPOOL_CONNECT_TIMEOUT: 'soon' }));
    expect([bad.code, bad.message]).to.deep.equal(['SETTINGS_VALUE', 'SSHPOOL_CONNECT_TIMEOUT: "soon" is not a duration (a number, 0 or more)']);
    expect(bad.location).to.deep.equal({ variable: 'SSHPOOL_CONNECT_TIMEOUT' });
  });

  it('warns about an unknown SSHPOOL_* variable, naming the closest, and knows the ones that are not settings', () => {
    const { given, warnings } = readEnvironment({ SSHPOOL_FORK: '8', SSHPOOL_INVENTORY: 'hosts', SSHPOOL_ZZZ: '1' }, ['SSHPOOL_INVENTORY']);
    expect(given).to.deep.equal([]);
    expect(warnings).to.deep.equal(['unknown variable SSHPOOL_FORK ignored (did you mean SSHPOOL_FORKS?)', 'unknown variable SSHPOOL_ZZZ ignored']);
  });

  it('reads flags from parsed arguments, refusing a bad one with a usage error naming the flag', () => {
    const settings = mergeSettings(readFlags({ forks: '5', connectTimeout: '3', agent: false, strictHostKeyChecking: 'no' }));
    expect(settings.get('forks')!.origin).to.deep.equal({ source: 'flag', flag: '--forks' });
    expect([settingValue(settings, 'forks'), settingValue(settings, 'connect-timeout'), settingValue(settings, 'agent')]).to.deep.equal([5, 3000, false]);
    expect(() => readFlags({ timeout: 'soon' })).to.throw(UsageError, /^--timeout: "soon"/);
    expect(() => readFlags({ port: '70000' })).to.throw(UsageError, '--port: 70000 is not a port number');
  });
});
