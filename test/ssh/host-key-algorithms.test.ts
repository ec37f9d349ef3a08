import { expect } from 'chai';
import { orderHostKeyAlgorithms } from '../../src/ssh/host-key-algorithms.js';

const DEFAULT = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

describe('orderHostKeyAlgorithms (OpenSSH order_hostkeyalgs())', () => {
  it('keeps the default order when known_hosts holds nothing, or a key for the first algorithm', () => {
    expect(orderHostKeyAlgorithms(new Set())).to.deep.equal(DEFAULT);
    expect(orderHostKeyAlgorithms(new Set(['ssh-ed25519', 'ssh-rsa']))).to.deep.equal(DEFAULT);
    expect(orderHostKeyAlgorithms(new Set(['ssh-dss-unknown']))).to.deep.equal(DEFAULT);
  });

  it('puts the algorithms of the known key types first, each part in the default order', () => {
    expect(orderHostKeyAlgorithms(new Set(['ecdsa-sha2-nistp256']))).to.deep.equal([
      'ecdsa-sha2-nistp256',
      'ssh-ed25519',
      'ecdsa-sha2-nistp384',
      'ecdsa-sha2-nistp521',
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
    ]);
    expect(orderHostKeyAlgorithms(new Set(['ssh-rsa', 'ecdsa-sha2-nistp521']))).to.deep.equal([
      'ecdsa-sha2-nistp521',
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
      'ssh-ed25519',
      'ecdsa-sha2-nistp256',
      'ecdsa-sha2-nistp384',
    ]);
  });
});
