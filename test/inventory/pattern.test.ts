import { expect } from 'chai';
import { InputError } from '../../src/errors.js';
import { NoHostsMatchedError, PatternError } from '../../src/inventory/index.js';
import type { Inventory } from '../../src/inventory/index.js';
import { splitHostPattern } from '../../src/inventory/host-pattern.js';
import { inventoryFrom, names } from './fixtures.js';

const YAML = `
all:
  hosts:
    solo:
  children:
    webservers:
      hosts:
        web[1:4].example.com:
      children:
        canary:
          hosts:
            canary1:
    dbservers:
      hosts:
        db1.example.com:
        web2.example.com:
    prod:
      hosts:
        web1.example.com:
        db1.example.com:
    web-test:
      hosts:
        wt1:
`;

describe('Inventory.select (Ansible host patterns)', () => {
  let inventory: Inventory;
  before(async () => {
    inventory = await inventoryFrom(YAML);
  });
  const select = (pattern: string) => names(inventory.select(pattern));

  it("selects all hosts with all and *, in Ansible's order: a group's hosts, then its children's, breadth first", () => {
    const all = ['solo', 'web1.example.com', 'web2.example.com', 'web3.example.com', 'web4.example.com', 'db1.example.com', 'wt1', 'canary1'];
    expect(select('all')).to.deep.equal(all);
    expect(select('*')).to.deep.equal(all);
    expect(select('')).to.deep.equal(all);
  });

  it('selects a group with its descendants, and a host by name', () => {
    expect(select('webservers')).to.deep.equal([
      'web1.example.com', 'web2.example.com', 'web3.example.com', 'web4.example.com', 'canary1',
    ]);
    expect(select('db1.example.com')).to.deep.equal(['db1.example.com']);
    expect(select('ungrouped')).to.deep.equal(['solo']);
  });

  it('unions with : and , without duplicates, in first-seen order', () => {
    expect(select('dbservers:prod')).to.deep.equal(['db1.example.com', 'web2.example.com', 'web1.example.com']);
    expect(select('dbservers, prod')).to.deep.equal(select('dbservers:prod'));
  });

  it('applies unions first, then &, then !, whatever their order in the text', () => {
    expect(select('!web2.example.com:webservers:&prod')).to.deep.equal(['web1.example.com']);
    expect(select('webservers:!canary')).to.deep.equal(['web1.example.com', 'web2.example.com', 'web3.example.com', 'web4.example.com']);
    expect(select('&prod:dbservers')).to.deep.equal(['db1.example.com']);
    expect(select('!webservers')).to.deep.equal(['solo', 'db1.example.com', 'wt1']);
  });

  it('matches globs against groups and hosts', () => {
    expect(select('web*')).to.deep.equal([
      'web1.example.com', 'web2.example.com', 'web3.example.com', 'web4.example.com', 'canary1', 'wt1',
    ]);
    expect(select('web[13].example.com')).to.deep.equal(['web1.example.com', 'web3.example.com']);
    expect(select('db?.example.com')).to.deep.equal(['db1.example.com']);
  });

  it('matches ~regex anchored at the start only, against groups and hosts', () => {
    expect(select('~web\\d')).to.deep.equal(['web1.example.com', 'web2.example.com', 'web3.example.com', 'web4.example.com']);
    expect(select('~(db|prod)')).to.deep.equal(['db1.example.com', 'web2.example.com', 'web1.example.com']);
    expect(() => select('~example')).to.throw(NoHostsMatchedError);
  });

  it('takes subscripts: an index, inclusive slices, open ends, negatives', () => {
    const web = select('webservers');
    expect(select('webservers[0]')).to.deep.equal(web.slice(0, 1));
    expect(select('webservers[-1]')).to.deep.equal(['canary1']);
    expect(select('webservers[0:2]')).to.deep.equal(web.slice(0, 3));
    expect(select('webservers[1:]')).to.deep.equal(web.slice(1));
    expect(select('webservers[:3]')).to.deep.equal(web.slice(0, 4));
    expect(select('webservers[1:2]:prod[0]')).to.deep.equal(['web2.example.com', 'web3.example.com', 'web1.example.com']);
  });

  it('says clearly when nothing matches', () => {
    expect(() => select('nosuch')).to.throw(NoHostsMatchedError, "no hosts matched the pattern 'nosuch'");
    expect(() => select('webservers:&dbservers:!web2.example.com')).to.throw(NoHostsMatchedError);
    expect(() => select('webservers[9]')).to.throw(NoHostsMatchedError, /subscripted/);
  });

  it('rejects a part that names no host and no group, where Ansible warns and drops it', () => {
    expect(() => select('webservers:!web9.example.com')).to.throw(
      NoHostsMatchedError,
      "no host or group matches 'web9.example.com' in the pattern 'webservers:!web9.example.com'",
    );
    expect(() => select('webservers:mail*')).to.throw(NoHostsMatchedError, "matches 'mail*' in the pattern");
    expect(() => select('~nosuch,solo')).to.throw(NoHostsMatchedError, "matches '~nosuch'");
    expect(select('webservers:!dbservers')).to.deep.equal(['web1.example.com', 'web3.example.com', 'web4.example.com', 'canary1']);
  });

  it('rejects malformed patterns with PatternError, an InputError', () => {
    for (const pattern of ['~web(', 'webservers[2:1]', 'webservers[1-2]', 'webservers:!']) {
      expect(() => select(pattern), pattern).to.throw(PatternError);
    }
    expect(new PatternError('x', 'y')).to.be.instanceOf(InputError);
  });
});

describe('splitHostPattern', () => {
  it('splits as Ansible: commas, else one address, else colons outside brackets', () => {
    expect(splitHostPattern('a,b[1], c[2:3] , d')).to.deep.equal(['a', 'b[1]', 'c[2:3]', 'd']);
    expect(splitHostPattern('web[1:3]')).to.deep.equal(['web[1:3]']);
    expect(splitHostPattern('::1')).to.deep.equal(['::1']);
    expect(splitHostPattern('a:&b:!c[0:1]')).to.deep.equal(['a', '&b', '!c[0:1]']);
  });
});
