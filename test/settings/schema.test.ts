import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { SETTINGS, defaults } from '../../src/settings/schema.js';
import { renderDefaultYaml, renderSettingsReference, renderSettingsTable } from '../../src/settings/render.js';
import { mergeSettings } from '../../src/settings/resolve.js';
import { parseSettingsFile } from '../../src/settings/sources.js';
import { environmentVariable } from '../../src/settings/setting.js';

const repoFile = (file: string) => fileURLToPath(new URL(`../../../${file}`, import.meta.url));

describe('the settings schema', () => {
  it('gives the library the defaults sshpool has always had, parsed from the declared ones', () => {
    expect(defaults).to.deep.equal({
      forks: 32,
      commandTimeoutMs: 0,
      connectTimeoutMs: 10_000,
      serverAliveIntervalMs: 15_000,
      serverAliveCountMax: 3,
      maxOutputBytes: 1024 * 1024,
      strictHostKeyChecking: 'yes',
    });
  });

  it('declares each key, alias and variable once', () => {
    for (const names of [SETTINGS.map((s) => s.key), SETTINGS.flatMap((s) => ('alias' in s && s.alias ? [s.alias] : [])), SETTINGS.map((s) => environmentVariable(s.key))]) {
      expect(new Set(names).size, names.join(' ')).to.equal(names.length);
    }
  });

  it('keeps config/default.yaml as generated, and it reads back as exactly the defaults', () => {
    const file = repoFile('config/default.yaml');
    const text = readFileSync(file, 'utf8');
    expect(text, 'run npm run settings:generate').to.equal(renderDefaultYaml());
    const fromFile = mergeSettings(parseSettingsFile(file, text));
    const builtIn = mergeSettings();
    for (const declaration of SETTINGS) {
      expect(fromFile.get(declaration.key)!.value, declaration.key).to.deep.equal(builtIn.get(declaration.key)!.value);
      const expected = 'default' in declaration && declaration.default !== undefined ? 'file' : 'default';
      expect(fromFile.get(declaration.key)!.origin.source, declaration.key).to.equal(expected);
    }
  });

  it("keeps the README's settings table as generated", () => {
    expect(readFileSync(repoFile('README.md'), 'utf8'), 'run npm run settings:generate').to.include(renderSettingsTable());
  });

  it("keeps the README's settings reference as generated: every setting, with its file key, variable, commands and default", () => {
    const reference = renderSettingsReference();
    expect(readFileSync(repoFile('README.md'), 'utf8'), 'run npm run settings:generate').to.include(reference);
    for (const declaration of SETTINGS) expect(reference).to.include(`file key \`${declaration.key}\` · \`$${environmentVariable(declaration.key)}\``);
    expect(reference).to.include('**`--strict-host-key-checking`** · file key `strict-host-key-checking` · `$SSHPOOL_STRICT_HOST_KEY_CHECKING` · run, script, copy, fetch, ping, shell, hosts, worker  \n');
  });
});
