import { expect } from 'chai';
import { ProxyJumpError, parseProxyJump } from '../../src/ssh/proxy-jump.js';

describe('parseProxyJump', () => {
  it('reads [user@]host[:port] hops, comma separated, in order', () => {
    expect(parseProxyJump('bastion')).to.deep.equal([{ alias: 'bastion' }]);
    expect(parseProxyJump('ops@bastion:2222, inner')).to.deep.equal([{ alias: 'bastion', user: 'ops', port: 2222 }, { alias: 'inner' }]);
    expect(parseProxyJump('ssh://ops@bastion:2200')).to.deep.equal([{ alias: 'bastion', user: 'ops', port: 2200 }]);
    expect(parseProxyJump('[::1]:2222')).to.deep.equal([{ alias: '::1', port: 2222 }]);
    expect(parseProxyJump('a@b@host')).to.deep.equal([{ alias: 'host', user: 'a@b' }]);
  });

  it('treats none and empty as no jump', () => {
    expect(parseProxyJump('none')).to.deep.equal([]);
    expect(parseProxyJump('')).to.deep.equal([]);
  });

  it('rejects bad hops, naming the spec', () => {
    for (const bad of ['host:0', 'host:70000', 'host:port', '@host', 'a,,b', 'host:22:33']) {
      expect(() => parseProxyJump(bad), bad).to.throw(ProxyJumpError, bad);
    }
  });
});
