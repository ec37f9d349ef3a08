import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ParsedKey } from 'ssh2';
import { IdentityError, IdentityStore, type Identity } from '../../src/ssh/identities.js';
import { rejectionOf } from '../helpers/rejection.js';

const run = promisify(execFile);

async function privateKeys(identities: Promise<Identity[]>): Promise<ParsedKey[]> {
  return (await identities).map((identity) => identity.privateKey!);
}

describe('IdentityStore', () => {
  let dir: string;
  let plainKey: string;
  let encryptedKey: string;
  const passphrase = 'correct horse';

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sshpool-ids-'));
    plainKey = path.join(dir, 'plain');
    encryptedKey = path.join(dir, 'encrypted');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', plainKey]);
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-f', encryptedKey]);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });



  it('parses a key once for concurrent callers: every caller gets the same parsed key', async () => {
    const store = new IdentityStore();
    const results = await Promise.all(Array.from({ length: 10 }, () => privateKeys(store.load([plainKey], { explicit: true }))));
    const first = results[0]![0]!;
    expect(first.type).to.equal('ssh-ed25519');
    expect(first.isPrivateKey()).to.equal(true);
    for (const [key] of results) expect(key).to.equal(first);
    expect((await privateKeys(store.load([path.relative(process.cwd(), plainKey)], { explicit: true })))[0]).to.equal(first);
  });

  it('asks for an encrypted key\'s passphrase once for 10 concurrent requests', async () => {
    const asked: string[] = [];
    const store = new IdentityStore({
      passphrasePrompt: async (keyPath) => {
        asked.push(keyPath);
        return passphrase;
      },
    });
    const results = await Promise.all(Array.from({ length: 10 }, () => privateKeys(store.load([encryptedKey, plainKey], { explicit: true }))));
    expect(asked).to.deep.equal([encryptedKey]);
    expect(results[0]!.map((key) => key.type)).to.deep.equal(['ssh-ed25519', 'ssh-ed25519']);
    expect(results[0]![0]!.isPrivateKey()).to.equal(true);
    expect(new Set(results.map(([key]) => key)).size).to.equal(1);
  });

  it('fails clearly on a wrong passphrase, without the passphrase, and does not ask again', async () => {
    let asked = 0;
    const wrong = 'not-the-passphrase-xyzzy';
    const store = new IdentityStore({
      passphrasePrompt: async () => {
        asked++;
        return wrong;
      },
    });
    const error = await rejectionOf(store.load([encryptedKey], { explicit: true }), IdentityError);
    expect(error.code).to.equal('IDENTITY_PASSPHRASE');
    expect(error.message).to.contain(encryptedKey).and.contain('wrong passphrase');
    expect(error.message).to.not.contain(wrong);
    expect(error.stack).to.not.contain(wrong);
    await rejectionOf(store.load([encryptedKey], { explicit: true }), IdentityError);
    expect(asked).to.equal(1);
  });

  it('with no way to ask, leaves an encrypted key aside when the agent has keys of its own to offer', async () => {
    const otherAgentKey = Buffer.from('not the key of this file');
    expect(await new IdentityStore().load([encryptedKey, plainKey], { explicit: true, agentKeys: [otherAgentKey] })).to.have.length(1);
  });

  it('refuses an encrypted key when there is no way to ask', async () => {
    const error = await rejectionOf(new IdentityStore().load([encryptedKey], { explicit: false }), IdentityError);
    expect(error.code).to.equal('IDENTITY_PASSPHRASE');
  });

  it('leaves an encrypted key the agent holds undecrypted, its passphrase unasked, finding its public half without it', async () => {
    // OpenSSH's own format carries the public key in its header; a PEM key needs its .pub beside it.
    const pem = path.join(dir, 'pem');
    await run('ssh-keygen', ['-q', '-t', 'ecdsa', '-m', 'PEM', '-N', passphrase, '-f', pem]);
    const blobOf = async (file: string) => Buffer.from((await readFile(`${file}.pub`, 'utf8')).split(' ')[1]!, 'base64');
    const held = [await blobOf(encryptedKey), await blobOf(pem)];
    let asked = 0;
    const store = new IdentityStore({
      passphrasePrompt: async () => {
        asked++;
        return passphrase;
      },
    });
    const identities = await store.load([encryptedKey, pem], { explicit: true, agentKeys: held });
    expect(asked).to.equal(0);
    expect(identities.map((identity) => [identity.file, identity.privateKey])).to.deep.equal([
      [encryptedKey, undefined],
      [pem, undefined],
    ]);
    expect(identities.map((identity) => identity.publicKey)).to.deep.equal(held);

    // Without its .pub, a PEM key's public half is unknown: it has to be decrypted, agent or not.
    await rm(`${pem}.pub`);
    const [decrypted] = await new IdentityStore({ passphrasePrompt: async () => passphrase }).load([pem], { explicit: true, agentKeys: held });
    expect(decrypted!.privateKey!.isPrivateKey()).to.equal(true);
    expect(decrypted!.publicKey).to.deep.equal(held[1]);
    // And a key the agent does not hold is decrypted, once, for every caller.
    const bothWays = await Promise.all([store.load([encryptedKey], { explicit: true }), store.load([encryptedKey], { explicit: true, agentKeys: [held[1]!] })]);
    expect(asked).to.equal(1);
    expect(bothWays[0]![0]!.privateKey).to.equal(bothWays[1]![0]!.privateKey).and.not.equal(undefined);
  });

  it('skips missing default identity files but names a missing explicit one', async () => {
    const store = new IdentityStore();
    const missing = path.join(dir, 'id_missing');
    expect(await store.load([missing, plainKey], { explicit: false })).to.have.length(1);
    const error = await rejectionOf(store.load([missing], { explicit: true }), IdentityError);
    expect(error.code).to.equal('IDENTITY_NOT_FOUND');
    expect(error.message).to.contain(missing);
  });

  it('rejects a public key or garbage as an identity', async () => {
    const store = new IdentityStore();
    expect((await rejectionOf(store.load([`${plainKey}.pub`], { explicit: true }), IdentityError)).code).to.equal('IDENTITY_INVALID');
    expect((await rejectionOf(store.load([path.join(process.cwd(), 'package.json')], { explicit: true }), IdentityError)).code).to.equal('IDENTITY_INVALID');
  });
});
