import { execFile } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { shellQuotingTemplate } from '../../src/run/command-template.js';
import type { HostResult } from '../../src/run/host-result.js';
import { runCliProcess } from '../helpers/cli-process.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';

const run = promisify(execFile);

describe('run --vars: per-host variables in commands', function () {
  this.timeout(120_000);
  const tempDir = tempDirPerTest('sshpool-vars-');

  it('quotes every {{ expression }} for the shell, leaves {{ x | raw }} as is, and finds the end past strings', () => {
    expect(shellQuotingTemplate('echo {{ a }} {{b|raw}} {{- c -}} {{ "}}" ~ d }} {% if e %}x{% endif %} {{')).to.equal(
      'echo {{ (a) | quote }} {{ b }} {{- (c) | quote -}} {{ ("}}" ~ d) | quote }} {% if e %}x{% endif %} {{',
    );
    expect(shellQuotingTemplate('no braces here')).to.equal('no braces here');
  });

  /** Hosts that run here (ansible_connection: local), so the remote shell is this machine's /bin/sh. */
  async function inventory(): Promise<string> {
    const file = path.join(tempDir(), 'hosts.yaml');
    await writeFile(
      file,
      [
        'all:',
        '  vars:',
        `    phrase: "it's $(echo a) \\"b\\" ; c *"`,
        '    words: [one, "two three"]',
        '    http_port: 8080',
        '    url: "http://{{ inventory_hostname }}:{{ http_port }}/"',
        '  hosts:',
        '    w1: { ansible_connection: local, app_port: 1 }',
        '    w2: { ansible_connection: local, app_port: 2, http_port: 9090 }',
        '    w3: { ansible_connection: local }',
        '',
      ].join('\n'),
    );
    return file;
  }
  const records = async (args: string[]) => {
    const { stdout, stderr, code } = await runCliProcess(['run', '-i', await inventory(), '-o', 'json', ...args]);
    return { code, stderr, records: JSON.parse(stdout) as HostResult[] };
  };

  it("renders each host's own vars (templated vars, group and host vars) as one shell word each", async () => {
    const { records: results } = await records(['-l', 'w1,w2', '--vars', '--', 'printf "[%s]\\n" {{ inventory_hostname }} {{ http_port }} {{ phrase }} {{ url }} {{ words }}']);
    expect(results.map((r) => [r.host, r.status, r.stdout])).to.deep.equal([
      ['w1', 'ok', `[w1]\n[8080]\n[it's $(echo a) "b" ; c *]\n[http://w1:8080/]\n[['one', 'two three']]\n`],
      ['w2', 'ok', `[w2]\n[9090]\n[it's $(echo a) "b" ; c *]\n[http://w2:9090/]\n[['one', 'two three']]\n`],
    ]);
    // The records keep the command as written: a rendered value may be a secret.
    expect(results[0]!.command).to.equal('printf "[%s]\\n" {{ inventory_hostname }} {{ http_port }} {{ phrase }} {{ url }} {{ words }}');
  });

  it('leaves a value unquoted with | raw, for the remote shell to split and expand', async () => {
    const { records: results } = await records(['-l', 'w1', '--vars', '--', "printf '[%s]' {{ words | join(' ') | raw }} {{ '$((6*7))' | raw }}"]);
    expect(results[0]!.stdout).to.equal('[one][two][three][42]');
  });

  it('fails a host whose command names an undefined variable before anything runs on it (COMMAND_UNDEFINED), the others run', async () => {
    const marker = path.join(tempDir(), 'ran');
    const { code, records: results } = await records(['--vars', '--', `echo {{ app_port }} >> ${marker}`]);
    expect(results.map((r) => [r.host, r.status, r.error?.code ?? null])).to.deep.equal([
      ['w1', 'ok', null],
      ['w2', 'ok', null],
      ['w3', 'skipped', 'COMMAND_UNDEFINED'],
    ]);
    expect(results[2]!.error!.message).to.equal("host 'w3': the command uses app_port, which is undefined for this host");
    expect(code).to.not.equal(0);
    const written = (await run('cat', [marker])).stdout;
    expect(written.split('\n').sort()).to.deep.equal(['', '1', '2']);
    const broken = await records(['-l', 'w1', '--vars', '--', 'echo {{ http_port | no_such_filter }}']);
    expect(broken.records[0]!.error!.code).to.equal('COMMAND_TEMPLATE');
  });

  it('passes braces through untouched without --vars', async () => {
    const { records: results } = await records(['-l', 'w1', '--', "printf '%s' '{{ http_port }}'"]);
    expect(results[0]!.stdout).to.equal('{{ http_port }}');
  });

  it("quotes as Ansible's quote filter does (ansible -m debug renders the same values)", async function () {
    const values = ['plain', 'two words', "it's", '$HOME `id` "x"', '', 'ünï', 42, ['a', 'b c']];
    const vars = values.map((value, index) => `    v${index}: ${JSON.stringify(value)}`);
    const file = path.join(tempDir(), 'quoting.yaml');
    await writeFile(file, ['all:', '  vars:', ...vars, '  hosts:', '    q: { ansible_connection: local }', ''].join('\n'));
    const env = { ...process.env, ANSIBLE_HOME: path.join(tempDir(), '.ansible'), ANSIBLE_NOCOLOR: '1' };
    const message = values.map((_, index) => `{{ v${index} | quote }}`).join('|');
    let ansible: string;
    try {
      ansible = (await run('ansible', ['-i', file, 'q', '-m', 'debug', '-a', `msg="${message}"`], { env, cwd: tempDir() })).stdout;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return this.skip();
      throw error;
    }
    // The default callback prints `q | SUCCESS => {JSON}`.
    const expected = (JSON.parse(ansible.slice(ansible.indexOf('=>') + 2)) as { msg: string }).msg;
    // sshpool quotes once more than the template asks, so the remote printf shows the template's own quoting.
    const { stdout } = await runCliProcess(['run', '-i', file, '--vars', '-o', 'json', '--', `printf '%s' ${values.map((_, index) => `{{ v${index} | quote }}`).join("'|'")}`]);
    expect((JSON.parse(stdout) as HostResult[])[0]!.stdout).to.equal(expected);
  });

  it("script --vars renders the script's arguments, each passed as one argument whatever it holds; braces pass through without it", async () => {
    const script = path.join(tempDir(), 'args.sh');
    await writeFile(script, '#!/bin/sh\nprintf "[%s]\\n" "$@"\n');
    const scriptRecords = async (args: string[]) => JSON.parse((await runCliProcess(['script', '-i', await inventory(), '-l', 'w1,w2', '-o', 'json', ...args])).stdout) as HostResult[];
    const rendered = await scriptRecords(['--vars', script, '--', '{{ inventory_hostname }}:{{ http_port }}', '{{ phrase }}']);
    expect(rendered.map((r) => [r.host, r.status, r.stdout])).to.deep.equal([
      ['w1', 'ok', `[w1:8080]\n[it's $(echo a) "b" ; c *]\n`],
      ['w2', 'ok', `[w2:9090]\n[it's $(echo a) "b" ; c *]\n`],
    ]);
    const untouched = await scriptRecords([script, '--', '{{ http_port }}']);
    expect(untouched.map((r) => r.stdout)).to.deep.equal(['[{{ http_port }}]\n', '[{{ http_port }}]\n']);
  });

  it('copy --vars renders the remote target per host; fetch --vars its remote paths, refusing one a var makes climb out (..)', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'app.conf');
    await writeFile(file, 'x=1\n');
    const copied = await runCliProcess(['copy', '-i', await inventory(), '-l', 'w1,w2', '--vars', '-o', 'json', file, path.join(dir, '{{ inventory_hostname }}-{{ http_port }}.conf')]);
    expect((JSON.parse(copied.stdout) as HostResult[]).map((r) => r.status)).to.deep.equal(['ok', 'ok']);
    expect((await readdir(dir)).filter((name) => name.endsWith('0.conf')).sort()).to.deep.equal(['w1-8080.conf', 'w2-9090.conf']);

    const inventoryFile = path.join(dir, 'fetch.yaml');
    await writeFile(inventoryFile, ['all:', '  hosts:', '    w1: { ansible_connection: local, sub: "w1-8080" }', '    up: { ansible_connection: local, sub: ".." }', ''].join('\n'));
    const fetched = await runCliProcess(['fetch', '-i', inventoryFile, '--vars', '-o', 'json', '{{ sub }}/x.conf', path.join(dir, 'got')]);
    const [w1, up] = JSON.parse(fetched.stdout) as HostResult[];
    expect(up!.error?.code, JSON.stringify(up)).to.equal('COMMAND_TEMPLATE');
    expect(up!.error?.message).to.match(/\.\. component/);
    expect(w1!.error?.code, 'w1 asks for w1-8080/x.conf, which is not there: it was rendered, not refused').to.equal('FILE_NOT_FOUND');
    await writeFile(path.join(dir, 'x-present.conf'), 'y\n');
    const present = await runCliProcess(['fetch', '-i', inventoryFile, '-l', 'w1', '--vars', '-o', 'json', path.join(dir, '{{ sub | replace("w1-8080", "x-present") }}.conf'), path.join(dir, 'got')]);
    expect((JSON.parse(present.stdout) as HostResult[])[0]!.status, present.stdout).to.equal('ok');
    const [fetchedFile] = (await readdir(path.join(dir, 'got', 'w1'), { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile());
    expect(await readFile(path.join(fetchedFile!.parentPath, fetchedFile!.name), 'utf8')).to.equal('y\n');
  });
});
