import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ProxyCommandError, checkProxyCommandTokens, expandProxyCommand } from '../../src/ssh/proxy-command.js';
import { runTool } from '../fleet/run-tool.js';

describe('ProxyCommand tokens', () => {
  const tokens = { h: '10.0.0.5', p: '2222', r: 'deploy', n: 'web1', k: 'web1' };

  it('expands %h %p %r %n %k and %%, as ssh does', () => {
    expect(expandProxyCommand('ssh -W %h:%p -l %r jump # %n %k 100%%', tokens, 'web1')).to.equal('ssh -W 10.0.0.5:2222 -l deploy jump # web1 web1 100%');
  });

  it('names every token ssh would refuse, so a file fails when it is read', () => {
    const refused: string[] = [];
    checkProxyCommandTokens('nc %h %p %C %u %', (token) => refused.push(token));
    expect(refused).to.deep.equal(['C', 'u', '']);
  });

  it('refuses host and user names a shell would act on, as ssh does (CVE-2023-51385), naming the host', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sshpool-proxy-names-'));
    try {
      const config = path.join(dir, 'config');
      await writeFile(config, 'Host *\n  ProxyCommand nc %h %p\n');
      for (const [host, user] of [['a;touch x', 'ok'], ['$(id)', 'ok'], ['-oProxyCommand=x', 'ok'], ['web1', 'a;b'], ['web1', "o'neil"]] as const) {
        expect(() => expandProxyCommand('nc %h %p', { ...tokens, h: host, n: host, k: host, r: user }, 'web1'), `${host} ${user}`).to.throw(ProxyCommandError, /^web1: (host|user) name/);
        const ssh = await runTool('ssh', ['-G', '-F', config, '-l', user, '--', host]);
        expect(ssh.stderr, `ssh with ${host} ${user}`).to.match(/(hostname|remote username) contains invalid characters/);
      }
      for (const [host, user] of [['web-1.example.com', 'deploy'], ['::1', 'a.b-c'], ['10.0.0.5', 'user name']] as const) {
        expect(expandProxyCommand('nc %h %p', { ...tokens, h: host, n: host, k: host, r: user }, 'web1')).to.equal(`nc ${host} 2222`);
        expect((await runTool('ssh', ['-G', '-F', config, '-l', user, '--', host])).exitCode, `ssh with ${host} ${user}`).to.equal(0);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
