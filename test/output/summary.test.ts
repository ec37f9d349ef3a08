import { expect } from 'chai';
import { formatSummary } from '../../src/output/summary.js';
import { record } from '../helpers/records.js';

describe('the end-of-run summary', () => {
  it('counts statuses, names the five slowest hosts, and folds failing hosts by how they failed', () => {
    const start = Date.UTC(2026, 0, 1);
    const at = (ms: number) => new Date(start + ms).toISOString();
    const results = [
      ...Array.from({ length: 6 }, (_, i) => record({ host: `web0${i + 1}`, startedAt: at(0), durationMs: 100 * (i + 1) })),
      record({ host: 'db1', status: 'failed', exitCode: 1, startedAt: at(50), durationMs: 20 }),
      record({ host: 'db2', status: 'failed', exitCode: 1, startedAt: at(50), durationMs: 20 }),
      record({ host: 'db3', status: 'unreachable', exitCode: null, error: { code: 'AUTH_FAILED', message: 'no' }, startedAt: at(60), durationMs: 2400 }),
      record({ host: 'db4', status: 'skipped', exitCode: null, slot: -1, error: { code: 'SKIPPED', message: 'stopped' }, durationMs: 0 }),
    ];
    expect(formatSummary(results)).to.equal(
      [
        'summary: 10 hosts: 6 ok, 2 failed, 1 unreachable, 1 skipped in 2.46 s',
        'slowest: db3 2.40 s, web06 600 ms, web05 500 ms, web04 400 ms, web03 300 ms',
        '[failed] exit code 1: db[1-2] (2)',
        '[unreachable] AUTH_FAILED: db3 (1)',
        '[skipped] SKIPPED: db4 (1)',
        '',
      ].join('\n'),
    );
  });

  it('says so when there were no hosts, and colours only when asked', () => {
    expect(formatSummary([])).to.equal('summary: 0 hosts: none in 0 ms\n');
    expect(formatSummary([record()], { color: true })).to.include('\x1b[');
  });

  it('escapes control characters in host names and outcomes', () => {
    const results = [record({ host: 'web\x1b[2J1', status: 'failed', exitCode: null, error: { code: 'X\rY', message: 'm' } })];
    expect(formatSummary(results)).to.include('slowest: web\\x1b[2J1 10 ms\n[failed] X\\rY: web\\x1b[2J1 (1)\n');
  });
});
