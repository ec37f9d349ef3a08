import { expect } from 'chai';
import { exitCodeForResults } from '../../src/cli/exit-codes.js';
import type { HostResult } from '../../src/run/host-result.js';

function record(status: HostResult['status'], extra: Partial<HostResult> = {}): HostResult {
  return {
    host: 'h', address: 'a', port: 22, user: 'u', status, exitCode: status === 'ok' ? 0 : null, signal: null,
    stdout: '', stderr: '', truncated: { stdout: false, stderr: false }, error: null,
    startedAt: '', durationMs: 0, attempt: 1, slot: 0, ...extra,
  };
}

describe('exitCodeForResults (pssh conventions)', () => {
  it('is 0 when every host is ok, and for an empty run', () => {
    expect(exitCodeForResults([record('ok'), record('ok')])).to.equal(0);
    expect(exitCodeForResults([])).to.equal(0);
  });

  it('ranks killed or timed out (3) over SSH errors (4) over non-zero exits (5) over skipped (1)', () => {
    const failed = record('failed', { exitCode: 2 });
    const unreachable = record('unreachable');
    const timeout = record('timeout');
    const skipped = record('skipped');
    expect(exitCodeForResults([failed])).to.equal(5);
    expect(exitCodeForResults([failed, unreachable])).to.equal(4);
    expect(exitCodeForResults([failed, unreachable, timeout])).to.equal(3);
    expect(exitCodeForResults([skipped, record('ok')])).to.equal(1);
    expect(exitCodeForResults([skipped, failed])).to.equal(5);
  });

  it('counts a remote command killed by a signal, or aborted by the user, as killed', () => {
    expect(exitCodeForResults([record('failed', { signal: 'SIGKILL' })])).to.equal(3);
    expect(exitCodeForResults([record('failed', { error: { code: 'ABORTED', message: '' } })])).to.equal(3);
  });
});
