import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { TextOutput } from '../../src/output/text-output.js';
import type { HostResult } from '../../src/run/host-result.js';

function capture(isTTY: boolean) {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean };
  stream.isTTY = isTTY;
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  return { stream, text: () => chunks.join('') };
}

function result(overrides: Partial<HostResult>): HostResult {
  return {
    host: 'web1', address: '127.0.0.1', port: 22, user: 'u', status: 'ok', exitCode: 0, signal: null,
    stdout: '', stderr: '', truncated: { stdout: false, stderr: false }, error: null,
    startedAt: new Date(0).toISOString(), durationMs: 1, attempt: 1, slot: 0, ...overrides,
  };
}

describe('TextOutput', () => {
  it('prefixes each line with its host, stdout and stderr to their own streams, interleaved hosts kept apart', () => {
    const out = capture(false);
    const err = capture(false);
    const output = new TextOutput({ stdout: out.stream, stderr: err.stream });
    output.output('web1', 'stdout', Buffer.from('a1\na'));
    output.output('web2', 'stdout', Buffer.from('b1\n'));
    output.output('web1', 'stdout', Buffer.from('2\n'));
    output.output('web1', 'stderr', Buffer.from('oops'));
    output.hostDone(result({ host: 'web1' }));
    expect(out.text()).to.equal('web1: a1\nweb2: b1\nweb1: a2\n');
    expect(err.text()).to.equal('web1: oops\n');
  });

  it('adds one status line on stderr for a host that did not end ok, without repeating the host name', () => {
    const out = capture(false);
    const err = capture(false);
    const output = new TextOutput({ stdout: out.stream, stderr: err.stream });
    output.hostDone(result({ host: 'db1', status: 'unreachable', exitCode: null, error: { code: 'CONNECT_REFUSED', message: 'db1: connection refused' } }));
    output.hostDone(result({ host: 'db2', status: 'failed', exitCode: 3 }));
    output.hostDone(result({ host: 'db3', status: 'failed', exitCode: null, signal: 'SIGTERM' }));
    expect(err.text()).to.equal('db1: [unreachable] CONNECT_REFUSED: connection refused\ndb2: [failed] exit code 3\ndb3: [failed] killed by signal SIGTERM\n');
  });

  it('colours host names only on a terminal', () => {
    const plain = capture(false);
    new TextOutput({ stdout: plain.stream, stderr: capture(false).stream }).output('web1', 'stdout', Buffer.from('x\n'));
    expect(plain.text()).to.equal('web1: x\n');
    const tty = capture(true);
    new TextOutput({ stdout: tty.stream, stderr: capture(true).stream }).output('web1', 'stdout', Buffer.from('x\n'));
    expect(tty.text()).to.match(/^\x1b\[\d+mweb1\x1b\[\d+m: x\n$/);
  });
});
