import { expect } from 'chai';
import { SshpoolError } from '../../src/errors.js';
import { classifySshError } from '../../src/ssh/errors.js';
import { documentedErrorCodes } from '../helpers/documented-codes.js';

function socketError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code, level: 'client-socket' });
}

describe('classifySshError', () => {
  it('maps socket errors to stable codes with the host named', () => {
    const cases: Array<[string, string]> = [
      ['ECONNREFUSED', 'CONNECT_REFUSED'],
      ['ECONNRESET', 'CONNECT_RESET'],
      ['ETIMEDOUT', 'CONNECT_TIMEOUT'],
      ['EHOSTUNREACH', 'HOST_UNREACHABLE'],
      ['ENETUNREACH', 'HOST_UNREACHABLE'],
      ['ENOTFOUND', 'DNS'],
      ['EAI_AGAIN', 'DNS'],
    ];
    for (const [socketCode, code] of cases) {
      const error = classifySshError(socketError(socketCode), 'web1', 'connect');
      expect(error.code, socketCode).to.equal(code);
      expect(error.message).to.match(/^web1: /);
    }
  });

  it('maps ssh2 levels: authentication, keepalive timeout, handshake', () => {
    const auth = Object.assign(new Error('All configured authentication methods failed'), { level: 'client-authentication' });
    expect(classifySshError(auth, 'h', 'auth').code).to.equal('AUTH_FAILED');
    const keepalive = Object.assign(new Error('Keepalive timeout'), { level: 'client-timeout' });
    expect(classifySshError(keepalive, 'h', 'session').code).to.equal('KEEPALIVE_TIMEOUT');
    const handshake = Object.assign(new Error('no matching key exchange'), { level: 'handshake' });
    expect(classifySshError(handshake, 'h', 'connect').code).to.equal('HANDSHAKE_FAILED');
    expect(classifySshError(new Error('odd'), 'h', 'connect').code).to.equal('HANDSHAKE_FAILED');
  });

  it('says a socket error as ssh does, with the peer as [host]:port and the system code kept', () => {
    const refused = Object.assign(socketError('ECONNREFUSED'), { address: '127.0.0.1', port: 2222 });
    expect(classifySshError(refused, 'web1', 'connect').message).to.equal('web1: connect to [127.0.0.1]:2222: connection refused (ECONNREFUSED)');
    const on22 = Object.assign(socketError('EHOSTUNREACH'), { address: '10.0.0.1', port: 22 });
    expect(classifySshError(on22, 'web1', 'connect').message).to.equal('web1: connect to 10.0.0.1: no route to host (EHOSTUNREACH)');
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', level: 'client-socket' });
    expect(classifySshError(reset, 'web1', 'session').message).to.equal('web1: connection reset by peer (ECONNRESET)');
  });

  it('gives running out of descriptors, memory or local ports LOCAL_RESOURCE, and any other socket error CONNECT_FAILED', () => {
    for (const code of ['EMFILE', 'ENFILE', 'ENOBUFS', 'ENOMEM', 'EADDRNOTAVAIL']) {
      expect(classifySshError(socketError(code), 'h', 'connect').code, code).to.equal('LOCAL_RESOURCE');
    }
    expect(classifySshError(socketError('EMFILE'), 'h', 'connect').message).to.contain('ulimit -n');
    const odd = classifySshError(socketError('EPROTO'), 'h', 'connect');
    expect([odd.code, odd.message]).to.deep.equal(['CONNECT_FAILED', 'h: connect: EPROTO']);
    expect(classifySshError(socketError('EACCES'), 'h', 'connect').message).to.equal('h: connect: permission denied (EACCES)');
  });

  it('reads a disconnect from the server by how far the connection had got', () => {
    // ssh2 gives the SSH disconnect reason as a number; sshd's "Too many authentication failures" is 2.
    const disconnect = (text: string) => Object.assign(new Error(text), { code: 2 });
    const tooMany = classifySshError(disconnect('Too many authentication failures'), 'h', 'auth');
    expect([tooMany.code, tooMany.message]).to.deep.equal(['AUTH_FAILED', 'h: authentication failed (server disconnected: Too many authentication failures)']);
    expect(classifySshError(disconnect('bye'), 'h', 'connect').code).to.equal('HANDSHAKE_FAILED');
    expect(classifySshError(disconnect('bye'), 'h', 'session').code).to.equal('CONNECTION_LOST');
    expect(classifySshError(Object.assign(new Error('agent refused operation'), { level: 'agent' }), 'h', 'auth').code).to.equal('AUTH_FAILED');
  });

  it('never answers with a code outside the documented list', () => {
    const documented = documentedErrorCodes();
    const odd = [new Error('odd'), 'a string', undefined, Object.assign(new Error('x'), { code: 99 }), Object.assign(new Error('x'), { level: 'something new' })];
    for (const phase of ['connect', 'auth', 'session'] as const) {
      for (const error of odd) expect(documented).to.include(classifySshError(error, 'h', phase).code);
    }
  });

  it('passes an SshpoolError (a host key refusal, say) through unchanged', () => {
    const original = new SshpoolError('HOSTKEY_MISMATCH', 'changed');
    expect(classifySshError(original, 'h', 'connect')).to.equal(original);
  });
});
