import { expect } from 'chai';
import { buildAuthHandler } from '../../src/ssh/auth.js';

describe('buildAuthHandler', () => {
  const password = () => 'secret';

  it('offers the password last, once the server accepts it', () => {
    const handler = buildAuthHandler({ username: 'u', identities: [], password });
    expect(handler(['publickey', 'password'])).to.deep.equal({ type: 'password', username: 'u', password: 'secret' });
    expect(handler(['publickey', 'password'])).to.equal(false);
  });

  it('offers no password to a host whose key contradicts known_hosts, as OpenSSH does', () => {
    const handler = buildAuthHandler({ username: 'u', identities: [], password, hostKey: { conflict: 'Host key for h has changed' } });
    expect(handler(['publickey', 'password', 'keyboard-interactive'])).to.equal(false);
    expect(buildAuthHandler({ username: 'u', identities: [], password, hostKey: {} })(['password'])).to.include({ type: 'password' });
  });
});
