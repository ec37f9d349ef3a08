import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';

const run = promisify(execFile);

/**
 * patches/ssh2+1.17.0+004+lazy-exports.patch: loading ssh2 for a client loads neither its
 * HTTP agents (node's http, https, tls) nor its server nor key generation; each is loaded
 * when first asked for, and is then what it always was.
 */
const PROBE = `
const loaded = () => ({
  builtins: process.moduleLoadList.filter((name) => /^NativeModule (http|https|tls|_http_server)$/.test(name)),
  files: Object.keys(require.cache).filter((file) => /ssh2\\/lib\\/(server|keygen|http-agents)\\.js$/.test(file)).map((file) => file.replace(/.*ssh2\\/lib\\//, '')),
});
const ssh2 = require('ssh2');
new ssh2.Client();
const afterClient = loaded();
const names = Object.keys(ssh2).sort();
const key = ssh2.utils.generateKeyPairSync('ed25519');
const parsed = ssh2.utils.parseKey(key.private);
const later = { server: typeof ssh2.Server, serverOnce: ssh2.Server === ssh2.Server, httpsAgent: typeof ssh2.HTTPSAgent, keyType: parsed.type };
process.stdout.write(JSON.stringify({ afterClient, names, later, afterUse: loaded() }));
`;

describe("ssh2 loads its server, HTTP agents and key generation on first use (its patch)", function () {
  this.timeout(30_000);

  it('a client loads none of them; asked for, each is there and works', async () => {
    const { stdout } = await run(process.execPath, ['-e', PROBE], { cwd: process.cwd() });
    const probe = JSON.parse(stdout) as { afterClient: { builtins: string[]; files: string[] }; names: string[]; later: Record<string, unknown>; afterUse: { builtins: string[]; files: string[] } };
    expect(probe.afterClient).to.deep.equal({ builtins: [], files: [] });
    // The same names as before, all enumerable.
    expect(probe.names).to.deep.equal(['AgentProtocol', 'BaseAgent', 'Client', 'CygwinAgent', 'HTTPAgent', 'HTTPSAgent', 'OpenSSHAgent', 'PageantAgent', 'Server', 'createAgent', 'utils']);
    expect(probe.later).to.deep.equal({ server: 'function', serverOnce: true, httpsAgent: 'function', keyType: 'ssh-ed25519' });
    // The probe sees loads: after use, the modules are there.
    expect(probe.afterUse.files.sort()).to.deep.equal(['http-agents.js', 'keygen.js', 'server.js']);
    expect(probe.afterUse.builtins).to.include.members(['NativeModule https', 'NativeModule tls']);
  });
});
