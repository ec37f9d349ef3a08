import { expect } from 'chai';
import { runCommand } from '../../src/run/host-run.js';
import { Secret } from '../../src/secret.js';
import { becomeCommand } from '../../src/tasks/become.js';
import { parseEnvironment, withExportedEnvironment } from '../../src/tasks/environment.js';

describe('becomeCommand: the become\'d form of a command line', () => {
  it('runs sudo with Ansible\'s flags, -n kept without a password (no prompt to wait on) and dropped with one', () => {
    const bare = becomeCommand('id -un', { enabled: true }, 'h');
    expect(bare.command).to.match(/^sudo -H -S -n -u root \/bin\/sh -c 'echo SSHPOOL-BECOME-OK-[0-9a-f]{32}; id -un'$/);
    expect(bare.pty).to.equal(false);
    const withPassword = becomeCommand('id -un', { enabled: true, user: 'app', password: new Secret('pw-in-line?') }, 'h');
    expect(withPassword.command).to.match(/^sudo -H -S -p '\[sshpool-become-[0-9a-f]{32}\] password: ' -u app \/bin\/sh -c /);
    expect(withPassword.command).not.to.include('pw-in-line?');
  });

  it('draws a new prompt and marker for every command', () => {
    const become = { enabled: true, password: new Secret('x') };
    expect(becomeCommand('true', become, 'h').command).not.to.equal(becomeCommand('true', become, 'h').command);
  });

  it('quotes the whole line for su, and asks su and doas for a terminal only when a password is to be typed', () => {
    const su = becomeCommand("echo 'hi'", { enabled: true, method: 'su', user: 'app', password: new Secret('x') }, 'h');
    expect(su.command).to.match(/^su app -c '\/bin\/sh -c '"'"'echo SSHPOOL-BECOME-OK-[0-9a-f]{32}; echo '"'"'"'"'"'"'"'"'hi'/);
    expect(su.pty).to.equal(true);
    expect(becomeCommand('true', { enabled: true, method: 'doas' }, 'h')).to.include({ pty: false });
    expect(becomeCommand('true', { enabled: true, method: 'doas' }, 'h').command).to.match(/^doas -n -u root /);
  });

  it('refuses a host whose ansible_become_method sshpool cannot run, with INVENTORY_VALUE; the others run', async () => {
    const results = await runCommand(
      [
        { name: 'odd', vars: { ansible_connection: 'local', ansible_become: true, ansible_become_method: 'pbrun' }, groups: ['all'] },
        { name: 'off', vars: { ansible_connection: 'local', ansible_become: false, ansible_become_method: 'pbrun' }, groups: ['all'] },
      ],
      'echo ran',
      { sshConfigFile: '/dev/null' },
    );
    expect(results.map((r) => [r.host, r.status, r.error?.code ?? null, r.stdout])).to.deep.equal([
      ['odd', 'skipped', 'INVENTORY_VALUE', ''],
      ['off', 'ok', null, 'ran\n'],
    ]);
    expect(results[0]!.error?.message).to.match(/ansible_become_method "pbrun" is not one sshpool can run \(sudo, su, doas\)/);
  });
});

describe('--env for local hosts and in the command line', () => {
  it('parses NAME=VALUE words, the later winning, and refuses others naming the option', () => {
    expect(parseEnvironment(['A=1', 'B=x=y', 'A=2', 'C='], '--env')).to.deep.equal({ A: '2', B: 'x=y', C: '' });
    expect(() => parseEnvironment(['NOEQUALS'], '--env')).to.throw(/--env "NOEQUALS": expected NAME=VALUE/);
    expect(() => parseEnvironment(['A-B=1'], '--env')).to.throw(/--env "A-B=1"/);
  });

  it('exports shell-quoted values before the command', () => {
    expect(withExportedEnvironment('echo "$A"', { A: "it's", B: 'plain' })).to.equal(`A='it'"'"'s' B=plain; export A B; echo "$A"`);
  });

  it('sets env for a local host, and says in the record that it has no terminal for --pty', async () => {
    const [result] = await runCommand([{ name: 'here', vars: { ansible_connection: 'local' }, groups: ['all'] }], 'echo "$SSHPOOL_LOCAL_X"; test -t 1 || echo no-tty', {
      sshConfigFile: '/dev/null',
      env: { SSHPOOL_LOCAL_X: 'set' },
      pty: true,
    });
    expect(result).to.include({ status: 'ok', stdout: 'set\nno-tty\n' });
    expect(result!.warnings).to.deep.equal(['no terminal for a local command: --pty applies to SSH hosts only']);
  });
});
