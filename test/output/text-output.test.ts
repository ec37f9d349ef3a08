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

  it('ends a command\'s unterminated last line when its output ends, so the next command does not continue it', () => {
    const out = capture(false);
    const err = capture(false);
    const output = new TextOutput({ stdout: out.stream, stderr: err.stream });
    output.output('web1', 'stdout', Buffer.from('first\npartial'));
    output.output('web1', 'stderr', Buffer.from('warn'));
    output.outputEnd('web1');
    expect(out.text()).to.equal('web1: first\nweb1: partial\n');
    expect(err.text()).to.equal('web1: warn\n');
    output.output('web1', 'stdout', Buffer.from('next\n'));
    output.outputEnd('web1');
    output.hostDone(record({ host: 'web1' }));
    expect(out.text()).to.equal('web1: first\nweb1: partial\nweb1: next\n');
  });

  const HOSTILE = 'ok\x1b]52;c;ZXZpbA==\x07\x1b[1A\rforged\u009b2J\u202eexe';
  const ESCAPED = 'ok\\x1b]52;c;ZXZpbA==\\x07\\x1b[1A\\rforged\\u009b2J\\u202eexe';

  it('on a terminal, escapes control characters in output lines, never its own colours', () => {
    const out = capture(true);
    const err = capture(true);
    const output = new TextOutput({ stdout: out.stream, stderr: err.stream });
    output.output('web1', 'stdout', Buffer.from(`${HOSTILE}\n${HOSTILE}`));
    output.output('web1', 'stderr', Buffer.from(`${HOSTILE}\n`));
    output.hostDone(record({ host: 'web1' }));
    const plain = (text: string) => text.replace(/\x1b\[\d+m/g, '');
    expect(out.text()).to.match(/^\x1b\[\d+mweb1\x1b\[\d+m: /);
    expect(plain(out.text())).to.equal(`web1: ${ESCAPED}\nweb1: ${ESCAPED}\n`);
    expect(plain(err.text())).to.equal(`web1: ${ESCAPED}\n`);
  });

  it('passes output exactly when not on a terminal, and escapes it there too when the sink asks (--sanitize), or not even on a terminal (--no-sanitize)', () => {
    const piped = capture(false);
    new TextOutput({ stdout: piped.stream, stderr: capture(false).stream }).output('web1', 'stdout', Buffer.from(`${HOSTILE}\n`));
    expect(piped.text()).to.equal(`web1: ${HOSTILE}\n`);
    const sanitized = capture(false);
    const sink = { write: (text: string) => sanitized.stream.write(text), sanitize: true };
    new TextOutput({ stdout: sink, stderr: sink }).output('web1', 'stdout', Buffer.from(`${HOSTILE}\n`));
    expect(sanitized.text()).to.equal(`web1: ${ESCAPED}\n`);
    const raw = capture(true);
    const rawSink = { write: (text: string) => raw.stream.write(text), isTTY: true, sanitize: false };
    new TextOutput({ stdout: rawSink, stderr: rawSink }).output('web1', 'stdout', Buffer.from(`${HOSTILE}\n`));
    expect(raw.text().replace(/\x1b\[\d+m/g, '')).to.equal(`web1: ${HOSTILE}\n`);
  });

  it('always escapes host names and the server text of status lines, piped or not, as OpenSSH escapes what it logs', () => {
    for (const isTTY of [false, true]) {
      const out = capture(isTTY);
      const err = capture(isTTY);
      const sanitize = isTTY ? false : undefined;
      const output = new TextOutput({ stdout: { write: (text: string) => out.stream.write(text), isTTY, sanitize }, stderr: { write: (text: string) => err.stream.write(text), isTTY, sanitize } });
      output.output('web\x1b[8m1', 'stdout', Buffer.from('x\n'));
      output.hostDone(record({ host: 'web\x1b[8m1', status: 'unreachable', exitCode: null, error: { code: 'CONNECTION_LOST', message: `server said: ${HOSTILE}` } }));
      const plain = (text: string) => text.replace(/\x1b\[\d+m/g, '');
      expect(plain(out.text())).to.equal('web\\x1b[8m1: x\n');
      expect(plain(err.text())).to.equal(`web\\x1b[8m1: [unreachable] CONNECTION_LOST: server said: ${ESCAPED}\n`);
    }
  });
});
