import { expect } from 'chai';
import { formatGroups, gatherOutput, writeGathered } from '../../src/output/gathered-output.js';
import { capture, record } from '../helpers/records.js';

describe('gathered output (clush -b)', () => {
  const results = [
    record({ host: 'web01', stdout: 'up\n' }),
    record({ host: 'web02', stdout: 'up\n' }),
    record({ host: 'web03', stdout: 'up\n', stderr: 'warn\n' }),
    record({ host: 'web07', stdout: 'up\n', status: 'failed', exitCode: 1 }),
    record({ host: 'db1', stdout: 'down\n' }),
    record({ host: 'db2', stdout: '' }),
    record({ host: 'db3', status: 'unreachable', exitCode: null, error: { code: 'AUTH_FAILED', message: 'db3: auth failed' } }),
    record({ host: 'db4', status: 'unreachable', exitCode: null, error: { code: 'AUTH_FAILED', message: 'db4: auth failed' } }),
  ];

  it('groups hosts on identical stdout and outcome, in the order of their first host', () => {
    const groups = gatherOutput(results, 'stdout').map((g) => [g.hosts.toString(), g.text, g.outcome]);
    expect(groups).to.deep.equal([
      ['web[01-03]', 'up\n', null],
      ['web07', 'up\n', '[failed] exit code 1'],
      ['db1', 'down\n', null],
      ['db[3-4]', '', '[unreachable] AUTH_FAILED'],
    ]);
  });

  it('groups stderr on its text alone and leaves out hosts that printed none', () => {
    const groups = gatherOutput(results, 'stderr').map((g) => [g.hosts.toString(), g.text, g.outcome]);
    expect(groups).to.deep.equal([['web03', 'warn\n', null]]);
  });

  it("lays groups out as clush does, the outcome in the header, a missing last newline added", () => {
    const text = formatGroups(gatherOutput([record({ host: 'a1', stdout: 'x' }), record({ host: 'a2', stdout: 'x', truncated: { stdout: true, stderr: false } }), record({ host: 'a3', status: 'timeout', exitCode: null, error: { code: 'COMMAND_TIMEOUT', message: 'm' } })], 'stdout'));
    expect(text).to.equal(
      '---------------\na1 (1)\n---------------\nx\n' +
        '---------------\na2 (1)\n---------------\nx\n[output truncated: only the first --max-output bytes were kept]\n' +
        '---------------\na3 (1) [timeout] COMMAND_TIMEOUT\n---------------\n',
    );
  });

  it('writes stdout groups to stdout and stderr groups to stderr, coloured only on a terminal', () => {
    const out = capture(false);
    const err = capture(true);
    writeGathered(results.slice(0, 3), { stdout: out.stream, stderr: err.stream });
    expect(out.text()).to.equal('---------------\nweb[01-03] (3)\n---------------\nup\n');
    expect(err.text()).to.include('\x1b[');
    expect(err.text().replace(/\x1b\[\d+m/g, '')).to.equal('---------------\nweb03 (1)\n---------------\nwarn\n');
  });

  it('escapes control characters in output on a terminal, and only there (or when the sink asks); in headers always', () => {
    const hostile = [record({ host: 'web\x1b[2K01', stdout: 'a\x1b]52;c;ZXZpbA==\x07\rb\n' })];
    const tty = capture(true);
    writeGathered(hostile, { stdout: tty.stream, stderr: capture(true).stream });
    expect(tty.text().replace(/\x1b\[\d+m/g, '')).to.equal('---------------\nweb\\x1b[2K01 (1)\n---------------\na\\x1b]52;c;ZXZpbA==\\x07\\rb\n');
    const piped = capture(false);
    writeGathered(hostile, { stdout: piped.stream, stderr: capture(false).stream });
    expect(piped.text()).to.equal('---------------\nweb\\x1b[2K01 (1)\n---------------\na\x1b]52;c;ZXZpbA==\x07\rb\n');
    const asked = capture(false);
    const sink = { write: (text: string) => asked.stream.write(text), sanitize: true };
    writeGathered(hostile, { stdout: sink, stderr: sink });
    expect(asked.text()).to.equal(tty.text().replace(/\x1b\[\d+m/g, ''));
  });
});
