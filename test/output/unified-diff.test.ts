import { expect } from 'chai';
import { formatDiff, gatherOutput, writeGatheredRecords } from '../../src/output/gathered-output.js';
import { unifiedDiffLines } from '../../src/output/unified-diff.js';
import type { HostResult } from '../../src/run/host-result.js';
import { askPython } from '../helpers/python.js';
import { capture, record } from '../helpers/records.js';

/** What clush's Display._print_diff hands difflib: the two outputs as lists of lines, headers named, lineterm=''. */
const DIFFLIB = `
import difflib, json, sys
print(json.dumps([list(difflib.unified_diff(a.splitlines(), b.splitlines(), fromfile='ref', tofile='other', lineterm='')) for a, b in json.load(sys.stdin)]))
`;

describe('--diff (clush --diff)', () => {
  it('writes the same unified diff as Python difflib, which clush uses', async function () {
    const lines = (count: number, change: (index: number) => string | undefined = () => undefined) =>
      Array.from({ length: count }, (_, index) => change(index) ?? `line ${index}`).join('\n') + '\n';
    const cases: [string, string][] = [
      ['same\n', 'same\n'],
      ['a\nb\nc\n', 'a\nB\nc\n'],
      ['', 'only\n'],
      ['gone\n', ''],
      ['no newline at the end', 'no newline at the end\n'],
      [lines(20), lines(20, (i) => (i === 2 || i === 17 ? `changed ${i}` : undefined))],
      [lines(12), lines(12, (i) => (i === 5 ? `changed ${i}` : undefined))],
      ['one\n', 'one\ntwo\nthree\n'],
      ['x\ny\nz\n', 'z\n'],
    ];
    const expected = await askPython(DIFFLIB, cases);
    if (!expected) return this.skip();
    const ours = cases.map(([a, b]) => unifiedDiffLines({ label: 'ref', text: a }, { label: 'other', text: b }));
    expect(ours).to.deep.equal(expected);
  });

  const results: HostResult[] = [
    record({ host: 'web01', stdout: 'nginx 1.24\nup\n' }),
    record({ host: 'web02', stdout: 'nginx 1.24\nup\n' }),
    record({ host: 'web03', stdout: 'nginx 1.22\nup\n' }),
    record({ host: 'web04', stdout: 'nginx 1.24\nup\n' }),
    record({ host: 'web05', stdout: '' }),
    record({ host: 'db1', stdout: 'nginx 1.24\nup\n', status: 'failed', exitCode: 3 }),
  ];
  const write = async (records: readonly HostResult[], isTTY = false) => {
    const out = capture(isTTY);
    const err = capture(isTTY);
    const byHost = new Map(records.map((r) => [r.host, r]));
    await writeGatheredRecords(() => records, (host) => byHost.get(host)!, { stdout: out.stream, stderr: err.stream }, { diff: true });
    return { stdout: out.text(), stderr: err.text() };
  };

  it("diffs every other group against the largest one's output, which is itself not printed; a host that printed nothing is a difference too", async () => {
    const { stdout, stderr } = await write(results);
    expect(stdout).to.equal(
      '--- web[01-02,04] (3)\n+++ web03\n@@ -1,2 +1,2 @@\n-nginx 1.24\n+nginx 1.22\n up\n' +
        '--- web[01-02,04] (3)\n+++ web05\n@@ -1,2 +0,0 @@\n-nginx 1.24\n-up\n' +
        // The same output with another outcome is a group of its own: its headers say how it ended, the diff is empty.
        '--- web[01-02,04] (3)\n+++ db1 [failed] exit code 3\n',
    );
    expect(stderr).to.equal('');
  });

  it('prints nothing when every host printed the same', async () => {
    expect(await write(results.slice(0, 2))).to.deep.equal({ stdout: '', stderr: '' });
  });

  it('names the outcome of a failed group in its header', () => {
    const [reference, failed] = gatherOutput([record({ host: 'a1', stdout: 'x\n' }), record({ host: 'a2', stdout: 'x\n' }), record({ host: 'b1', stdout: 'y\n', status: 'failed', exitCode: 2 })], 'stdout');
    expect(formatDiff(reference!, failed!)).to.equal('--- a[1-2] (2)\n+++ b1 [failed] exit code 2\n@@ -1 +1 @@\n-x\n+y\n');
  });

  it('colours as clush on a terminal, and escapes control characters from hosts there', async () => {
    const hostile = [record({ host: 'a1', stdout: 'x\n' }), record({ host: 'a2', stdout: 'x\n' }), record({ host: 'b\x1b[2K1', stdout: 'y\x1b]52;c;ZXZpbA==\x07\n' })];
    const { stdout } = await write(hostile, true);
    expect(stdout).to.include('\x1b[32m+y\\x1b]52;c;ZXZpbA==\\x07\x1b[39m');
    expect(stdout).to.include('\x1b[31m-x\x1b[39m');
    expect(stdout).to.include('+++ b\\x1b[2K1');
    expect(stdout).to.include('\x1b[36m@@ -1 +1 @@\x1b[39m');
  });
});
