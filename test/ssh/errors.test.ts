import { expect } from 'chai';
import { SshpoolError } from '../../src/errors.js';
import { classifySshError } from '../../src/ssh/errors.js';

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
      const error = classifySshError(socketError(socketCode), 'web1');
      expect(error.code, socketCode).to.equal(code);
      expect(error.message).to.match(/^web1: /);
    }
  });

  it('maps ssh2 levels: authentication, keepalive timeout, handshake', () => {
    const auth = Object.assign(new Error('All configured authentication methods failed'), { level: 'client-authentication' });
    expect(classifySshError(auth, 'h').code).to.equal('AUTH_FAILED');
    const keepalive = Object.assign(new Error('Keepalive timeout'), { level: 'client-timeout' });
    expect(classifySshError(keepalive, 'h').code).to.equal('KEEPALIVE_TIMEOUT');
    const handshake = Object.assign(new Error('no matching key exchange'), { level: 'handshake' });
    expect(classifySshError(handshake, 'h').code).to.equal('HANDSHAKE_FAILED');
    expect(classifySshError(new Error('odd'), 'h').code).to.equal('SSH_ERROR');
  });

  it('passes an SshpoolError (a host key refusal, say) through unchanged', () => {
    const original = new SshpoolError('HOSTKEY_MISMATCH', 'changed');
    expect(classifySshError(original, 'h')).to.equal(original);
  });
});
