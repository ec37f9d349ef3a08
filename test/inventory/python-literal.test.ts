import { expect } from 'chai';
import fc from 'fast-check';
import { parseIniValue, PythonLiteralError } from '../../src/inventory/python-literal.js';
import { parseJson, plainJson } from '../../src/inventory/json-text.js';
import { askPython } from '../helpers/python.js';

/** What Ansible's _parse_value does with each input, in Python: the value as JSON, 'raw' (the text kept), or 'error'. */
const PYTHON = `
import ast, json, sys
out = []
for s in json.load(sys.stdin):
    try:
        v = ast.literal_eval(s)
    except (ValueError, SyntaxError):
        out.append('raw'); continue
    except Exception:
        out.append('error'); continue
    try:
        if isinstance(v, bytes): v = v.decode('utf-8')
        out.append({'json': json.dumps(v)})
    except (TypeError, ValueError, UnicodeDecodeError):
        out.append('error')
print(json.dumps(out))
`;

type Outcome = 'raw' | 'error' | { value: unknown };

function ours(text: string): Outcome {
  try {
    const value = parseIniValue(text);
    return value === text ? 'raw' : { value };
  } catch (error) {
    expect(error).to.be.instanceOf(PythonLiteralError);
    return 'error';
  }
}

/** Pieces that, joined at random, reach the corners of Python's literal syntax. */
const PIECES = [
  '1', '0', '00', '07', '0x1F', '0o7', '0b1', '1_0', '1__0', '1.5', '.5', '5.', '1e3', '1E-2', '1e400', '1j', '2.5J', 'True', 'False',
  'None', 'x', 'set', 'set()', '...', "'a'", '"b"', "'''c'''", 'r"\\d"', "b'\\x41'", "b'\\777'", "'\\x4'", "'\\u00e9'", "u'x'", "rb'y'",
  "f'z'", "'\\n'", "'é'", "b'é'", '"a\\"b"', "'", '-', '+', '~', '#c', ' ', '\t', ',', ':', '(', ')', '[', ']', '{', '}', '=', '*', '.',
  '1.2.3', 'web01', '10.0.0.1', "\\", '"x y"', "'it''s'", '{1: 2}', '{[1]: 2}', '{(1,[2]): 3}', '{1.5: 0}', '{1e16: 0}', '{True: 1, 1: 2}',
  '{1j: 0}', '{None: 1}', '{(): 1}', '{1,2}', '{[1]}', '1,2', '-(5)', '--5', '1+2j', '1+2', '0777j', '09.5', '0_9',
];

describe('INI values as Python literals (ast.literal_eval, as Ansible reads them)', () => {
  const cases: Array<[string, Outcome]> = [
    ['5', { value: 5 }],
    ['-3', { value: -3 }],
    ['0x1F', { value: 31 }],
    ['1_000', { value: 1000 }],
    ['1e3', { value: 1000 }],
    ['.5', { value: 0.5 }],
    ['True', { value: true }],
    ['None', { value: null }],
    ["'5'", { value: '5' }],
    ["'a' \"b\"", { value: 'ab' }],
    ["r'\\d'", { value: '\\d' }],
    ["'\\x41\\n'", { value: 'A\n' }],
    ["b'bytes'", { value: 'bytes' }],
    ['[1, 2.5, None]', { value: [1, 2.5, null] }],
    ['(1, 2)', { value: [1, 2] }],
    ['1, 2', { value: [1, 2] }],
    ["{'a': 1, 1: 2, True: 3}", { value: { a: 1, 1: 3 } }],
    ['5 # a comment', { value: 5 }],
    ['deploy', 'raw'],
    ['10.0.0.5', 'raw'],
    ['08', 'raw'],
    ['yes', 'raw'],
    ['', 'raw'],
    ['1+2', 'raw'],
    ['{[1]: 2}', 'error'],
    ['{1, 2}', 'error'],
    ['1+2j', 'error'],
    ['...', 'error'],
  ];
  for (const [text, expected] of cases) {
    it(`${JSON.stringify(text)} is ${JSON.stringify(expected)}`, () => {
      expect(ours(text)).to.deep.equal(expected);
    });
  }

  it('refuses \\N{NAME} escapes, whose characters it cannot look up, where Python would give the character', () => {
    expect(ours("'\\N{BULLET}'")).to.equal('error');
    // Where Python would keep the text anyway, so does sshpool.
    expect(ours("'\\N{BULLET}' junk")).to.equal('raw');
  });

  it('agrees with Python 3 on thousands of generated inputs', async function () {
    this.timeout(60_000);
    const generated = fc.sample(fc.array(fc.constantFrom(...PIECES), { maxLength: 8 }).map((pieces) => pieces.join('')), { numRuns: 5000, seed: 13 });
    const inputs = [...new Set([...PIECES, ...generated])];
    const python = await askPython(PYTHON, inputs);
    if (!python) this.skip();
    inputs.forEach((text, index) => {
      const expected = python[index] as 'raw' | 'error' | { json: string };
      const outcome = typeof expected === 'string' ? expected : { value: plainJson(parseJson(expected.json)) };
      expect(ours(text), JSON.stringify(text)).to.deep.equal(outcome);
    });
  });
});
