import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const TYPEDOC = path.join(ROOT, 'node_modules', '.bin', 'typedoc');

/** TypeDoc's output without colours, whatever the terminal. */
async function typedoc(out: string): Promise<{ code: number; output: string }> {
  const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
  try {
    const { stdout, stderr } = await promisify(execFile)(TYPEDOC, ['--treatWarningsAsErrors', '--out', out], { cwd: ROOT, env });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('the API reference (npm run docs, TypeDoc over src/index.ts)', function () {
  // TypeDoc type-checks the whole package: about 12 s here, more on a loaded machine.
  this.slow(30_000);
  this.timeout(120_000);

  let out: string;
  let run: { code: number; output: string };

  before(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'sshpool-api-'));
    run = await typedoc(out);
  });

  after(() => rm(out, { recursive: true, force: true }));

  it('builds with no warning: every export and member documented, every referenced type in it, every link resolved', () => {
    const warnings = run.output.split('\n').filter((line) => /\[(warning|error)\]/.test(line));
    expect(warnings, run.output).to.deep.equal([]);
    expect(run.code, run.output).to.equal(0);
  });

  it("gives the option fields derived from the settings schema their setting's help, flag, variable and default", async () => {
    const page = await readFile(path.join(out, 'interfaces', 'RunOptions.html'), 'utf8');
    const text = page.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ');
    expect(text).to.include('Hosts worked on at once');
    expect(text).to.match(/SSHPOOL_CONNECT_TIMEOUT/);
    expect(text).to.match(/Default: 10000/);
  });
});
