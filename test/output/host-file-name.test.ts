import { createHash } from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import { MAX_FILE_NAME_BYTES, hostFileName } from '../../src/host-file-name.js';

const sha8 = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 8);

describe('host names as file names (--out-dir)', () => {
  it('keeps a name made of letters, digits and _ . : @ - as it is', () => {
    expect(hostFileName('web01.example.com', '.out')).to.equal('web01.example.com.out');
    expect(hostFileName('deploy@db-1:2222', '.err')).to.equal('deploy@db-1:2222.err');
    expect(hostFileName('a_b', '.out')).to.equal('a_b.out');
  });

  it('gives a name with other characters its safe form plus ~ and a hash of the whole name, so names that differ only there stay apart', () => {
    expect(hostFileName('a/b', '.out')).to.equal(`a_b~${sha8('a/b')}.out`);
    expect(hostFileName('../etc/passwd', '.out')).to.equal(`_._etc_passwd~${sha8('../etc/passwd')}.out`);
    expect(hostFileName('.hidden', '.out')).to.equal(`_hidden~${sha8('.hidden')}.out`);
    expect(hostFileName('', '.out')).to.equal(`~${sha8('')}.out`);
    const names = ['a_b', 'a/b', 'a b', 'a\\b', 'a\u00e9b', 'a\u00e8b', 'a\nb'].map((host) => hostFileName(host, '.out'));
    expect(new Set(names).size).to.equal(names.length);
  });

  it('shortens a name that would not fit in 255 bytes with its suffix, the same way', () => {
    const long = 'n'.repeat(300);
    const name = hostFileName(long, '.out');
    expect(Buffer.byteLength(name)).to.equal(MAX_FILE_NAME_BYTES);
    expect(name).to.equal(`${'n'.repeat(MAX_FILE_NAME_BYTES - 13)}~${sha8(long)}.out`);
    expect(hostFileName(`${long}x`, '.out')).to.not.equal(name);
    expect(hostFileName('n'.repeat(251), '.out')).to.equal(`${'n'.repeat(251)}.out`);
    expect(hostFileName('n'.repeat(252), '.out')).to.have.length(MAX_FILE_NAME_BYTES).and.include('~');
  });

  it('property: distinct hosts get distinct, safe, short enough names, the same every time', () => {
    // Long names that differ only at their end, past where they are cut, are the hard case.
    const tricky = fc.tuple(fc.integer({ min: 0, max: 300 }), fc.string({ unit: fc.constantFrom('a', '/', '_', '.', '~', 'é'), maxLength: 6 }));
    const host = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 }), tricky.map(([length, end]) => 'a'.repeat(length) + end));
    fc.assert(
      fc.property(host, host, (a, b) => {
        const [nameA, nameB] = [hostFileName(a, '.out'), hostFileName(b, '.out')];
        const unsafe = [nameA, nameB].filter((name) => Buffer.byteLength(name) > MAX_FILE_NAME_BYTES || !/^[\w:@~-][\w.:@~-]*$/.test(name));
        expect({ collide: a !== b && nameA === nameB, stable: hostFileName(a, '.out') === nameA, unsafe }).to.deep.equal({ collide: false, stable: true, unsafe: [] });
      }),
      { numRuns: 300 },
    );
  });
});
