import { expect } from 'chai';
import fc from 'fast-check';
import { ShlexError, shlexSplit } from '../../src/inventory/shlex.js';
import { askPython } from '../helpers/python.js';

const PYTHON = `
import json, shlex, sys
out = []
for s in json.load(sys.stdin):
    try: out.append(shlex.split(s, comments=True))
    except ValueError as e: out.append(str(e))
print(json.dumps(out))
`;

function words(text: string): string[] | string {
  try {
    return shlexSplit(text).map((word) => word.value);
  } catch (error) {
    expect(error).to.be.instanceOf(ShlexError);
    return (error as Error).message;
  }
}

describe("shlexSplit (Python's shlex.split with comments, as Ansible splits INI host lines)", () => {
  it('splits on blanks, removes quotes, keeps backslashes in double quotes except before " and \\', () => {
    expect(words(`h1 a='x y' b="say \\"hi\\" \\n" c=d\\ e`)).to.deep.equal(['h1', 'a=x y', 'b=say "hi" \\n', 'c=d e']);
  });

  it('starts a comment at #, also inside a word, but not inside quotes', () => {
    expect(words("h1 path=/srv#rest x=1")).to.deep.equal(['h1', 'path=/srv']);
    expect(words("h1 x='#not' # gone")).to.deep.equal(['h1', 'x=#not']);
  });

  it("keeps an empty quoted word, and says where a quote is left open", () => {
    expect(words("h1 ''")).to.deep.equal(['h1', '']);
    const error = (() => {
      try {
        shlexSplit('h1 x="open');
      } catch (caught) {
        return caught as ShlexError;
      }
      return undefined;
    })();
    expect(error).to.include({ message: 'No closing quotation', offset: 5 });
    expect(shlexSplit("h1  'a'b")[1]).to.deep.equal({ value: 'ab', start: 4 });
  });

  it('agrees with Python 3 on generated lines', async function () {
    this.timeout(60_000);
    const piece = fc.constantFrom('a', 'b=1', ' ', '\t', "'", '"', '\\', '#', "'x y'", '"q\\"r"', '\\ ', 'é', '=', '\r');
    const inputs = fc.sample(fc.array(piece, { maxLength: 10 }).map((pieces) => pieces.join('')), { numRuns: 3000, seed: 7 });
    const python = await askPython(PYTHON, inputs);
    if (!python) this.skip();
    inputs.forEach((text, index) => expect(words(text), JSON.stringify(text)).to.deep.equal(python[index]));
  });
});
