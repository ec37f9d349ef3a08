import { expect } from 'chai';
import { TextOutput } from '../../src/output/text-output.js';
import { capture, record } from '../helpers/records.js';

describe('TextOutput', () => {
  it('prefixes each line with its host, stdout and stderr to their own streams, interleaved hosts kept apart', () => {
    const out = capture(false);
    const err = capture(false);
    const output = new TextOutput({ stdout: out.stream, stderr: err.stream });
    output.output('web1', 'stdout', Buffer.from('a1\na'));
    output.output('web2', 'stdout', Buffer.from('b1\n'));
    output.output('web1', 'stdout', Buffer.from('2\n'));
    output.output('web1', 'stderr', Buffer.from('oops'));
    output.hostDone(record({ host: 'web1' }));
    expect(out.text()).to.equal('web1: a1\nweb2: b1\nweb1: a2\n');
    expect(err.text()).to.equal('web1: oops\n');
  });

  it('adds one status line on stderr for a host that did not end ok, without repeating the host name', () => {
    const out = capture(false);
    const err = capture(false);
    const output = new TextOutput({ stdout: out.stream, stderr: err.stream });
    output.hostDone(record({ host: 'db1', status: 'unreachable', exitCode: null, error: { code: 'CONNECT_REFUSED', message: 'db1: connection refused' } }));
    output.hostDone(record({ host: 'db2', status: 'failed', exitCode: 3 }));
    output.hostDone(record({ host: 'db3', status: 'failed', exitCode: null, signal: 'SIGTERM' }));
    expect(err.text()).to.equal('db1: [unreachable] CONNECT_REFUSED: connection refused\ndb2: [failed] exit code 3\ndb3: [failed] killed by signal SIGTERM\n');
  });

  it('writes each warning of a record on stderr, ok or not', () => {
    const out = capture(false);
    const err = capture(false);
    const output = new TextOutput({ stdout: out.stream, stderr: err.stream });
    output.hostDone(record({ host: 'web1', warnings: ['Host key for web1 has changed: ...; accepted because StrictHostKeyChecking is no'] }));
    output.hostDone(record({ host: 'web2' }));
    expect(out.text()).to.equal('');
    expect(err.text()).to.equal('web1: warning: Host key for web1 has changed: ...; accepted because StrictHostKeyChecking is no\n');
  });

  it('writes the complete lines of a chunk in one write (a syscall each when stdout is a file or pipe)', () => {
    const writes: string[] = [];
    const output = new TextOutput({ stdout: { write: (text: string) => writes.push(text) }, stderr: capture(false).stream });
    output.output('web1', 'stdout', Buffer.from('a\nb\nc\npartial'));
    output.output('web1', 'stdout', Buffer.from(' line\n'));
    output.output('web1', 'stdout', Buffer.from('no newline yet'));
    expect(writes).to.deep.equal(['web1: a\nweb1: b\nweb1: c\n', 'web1: partial line\n']);
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
