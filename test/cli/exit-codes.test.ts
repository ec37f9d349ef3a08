import { expect } from 'chai';
import { exitCodeForResults } from '../../src/cli/exit-codes.js';
import type { HostResult } from '../../src/run/host-result.js';
import { record } from '../helpers/records.js';

function recordOf(status: HostResult['status'], extra: Partial<HostResult> = {}): HostResult {
  return record({ status, exitCode: status === 'ok' ? 0 : null, ...extra });
}

describe('exitCodeForResults (pssh conventions)', () => {
  it('is 0 when every host is ok, and for an empty run', () => {
    expect(exitCodeForResults([recordOf('ok'), recordOf('ok')])).to.equal(0);
    expect(exitCodeForResults([])).to.equal(0);
  });

  it('ranks killed or timed out (3) over SSH errors (4) over non-zero exits (5) over skipped (1)', () => {
    const failed = recordOf('failed', { exitCode: 2 });
    const unreachable = recordOf('unreachable');
    const timeout = recordOf('timeout');
    const skipped = recordOf('skipped');
    expect(exitCodeForResults([failed])).to.equal(5);
    expect(exitCodeForResults([failed, unreachable])).to.equal(4);
    expect(exitCodeForResults([failed, unreachable, timeout])).to.equal(3);
    expect(exitCodeForResults([skipped, recordOf('ok')])).to.equal(1);
    expect(exitCodeForResults([skipped, failed])).to.equal(5);
  });

  it('counts a remote command killed by a signal, or aborted by the user, as killed', () => {
    expect(exitCodeForResults([recordOf('failed', { signal: 'SIGKILL' })])).to.equal(3);
    expect(exitCodeForResults([recordOf('failed', { error: { code: 'ABORTED', message: '' } })])).to.equal(3);
  });
});
