import { hasFilter, isTextFilter } from './filters.js';
import { hasTest } from './tests.js';

/**
 * Jinja templates compiled with nunjucks' lexer, parser and compiler, where
 * every expression whose meaning differs between Jinja and JavaScript is
 * compiled into a call to the Python-semantics runtime (runtime.ts, reached
 * as `env.py` from the generated code): names, `x.y` and `x[y]` (and slices,
 * which nunjucks cannot parse), calls, filters, tests, `in`, `and`/`or`/`not`,
 * conditions, arithmetic, `~`, comparisons, dict literals, loops and output.
 * Strings inside `{{ }}` keep their backslashes, as Ansible's
 * _escape_backslashes makes Jinja keep them.
 */

// nunjucks' parser and compiler internals are untyped JavaScript.
type AnyNode = any;
type Frame = { lookup(name: string): string | undefined };

export interface NunjucksInternals {
  Template: new (source: { type: 'code'; obj: unknown }, env: unknown) => { render(context: object): string };
  compiler: { Compiler: new (name: string | undefined, throwOnUndefined: boolean) => any };
  parser: { Parser: new (tokens: unknown) => any };
  lexer: { lex(source: string, options: object): any } & Record<string, string>;
  nodes: Record<string, any>;
}

export interface CompiledTemplate {
  render(context: object): string;
}

const LEXER_OPTIONS = { trimBlocks: true, lstripBlocks: false };
const CONSTANTS: Record<string, string> = { True: 'true', False: 'false', None: 'null' };
const ARITHMETIC: Record<string, string> = { Add: '+', Sub: '-', Mul: '*', Div: '/', FloorDiv: '//', Mod: '%', Pow: '**' };

export function templateCompiler(nunjucks: NunjucksInternals, environment: unknown): (source: string) => CompiledTemplate {
  const { nodes, lexer } = nunjucks;
  /** A call into the runtime: `env.py.<helper>(args...)`. */
  const PyCall = nodes.Node.extend('PyCall', { fields: ['helper', 'args'] });
  const pyCall = (like: AnyNode, helper: string, args: AnyNode[]) => new PyCall(like.lineno, like.colno, helper, args);

  class Parser extends nunjucks.parser.Parser {
    /** nunjucks' parsePostfix, telling `x.y` from `x['y']` and reading slices. */
    parsePostfix(target: AnyNode): AnyNode {
      let node = target;
      for (let token = this.peekToken(); token; token = this.peekToken()) {
        if (token.type === lexer.TOKEN_LEFT_PAREN) {
          node = new nodes.FunCall(token.lineno, token.colno, node, this.parseSignature());
        } else if (token.type === lexer.TOKEN_LEFT_BRACKET) {
          node = this.parseSubscript(node);
        } else if (token.type === lexer.TOKEN_OPERATOR && token.value === '.') {
          this.nextToken();
          const name = this.nextToken();
          if (!name || (name.type !== lexer.TOKEN_SYMBOL && name.type !== lexer.TOKEN_INT)) this.fail('expected a name after "."', token.lineno, token.colno);
          const key = new nodes.Literal(name.lineno, name.colno, name.type === lexer.TOKEN_INT ? Number(name.value) : name.value);
          node = new nodes.LookupVal(token.lineno, token.colno, node, key);
          node.attribute = name.type === lexer.TOKEN_SYMBOL;
        } else {
          break;
        }
      }
      return node;
    }

    parseSubscript(target: AnyNode): AnyNode {
      const open = this.nextToken();
      const parts: AnyNode[] = [null, null, null];
      let part = 0;
      for (;;) {
        const token = this.peekToken();
        if (!token) this.fail('expected "]"', open.lineno, open.colno);
        if (token.type === lexer.TOKEN_RIGHT_BRACKET) break;
        if (token.type === lexer.TOKEN_COLON) {
          this.nextToken();
          part += 1;
          if (part > 2) this.fail('a slice has at most three parts', token.lineno, token.colno);
        } else if (parts[part] !== null) {
          this.fail('expected "]" or ":"', token.lineno, token.colno);
        } else {
          parts[part] = this.parseExpression();
        }
      }
      this.nextToken();
      if (part === 0) {
        if (parts[0] === null) this.fail('expected an index', open.lineno, open.colno);
        return new nodes.LookupVal(open.lineno, open.colno, target, parts[0]);
      }
      const none = () => new nodes.Literal(open.lineno, open.colno, null);
      return pyCall(open, 'slice', [target, parts[0] ?? none(), parts[1] ?? none(), parts[2] ?? none()]);
    }
  }

  class Compiler extends nunjucks.compiler.Compiler {
    assertType(node: AnyNode, ...types: unknown[]): void {
      if (!(node instanceof PyCall)) super.assertType(node, ...types);
    }

    compilePyCall(node: AnyNode, frame: Frame): void {
      this._emit(`env.py.${node.helper}(`);
      node.args.forEach((arg: AnyNode, index: number) => {
        if (index > 0) this._emit(', ');
        if (typeof arg === 'string') this._emit(JSON.stringify(arg));
        else this.compile(arg, frame);
      });
      this._emit(')');
    }

    private call(like: AnyNode, helper: string, args: AnyNode[], frame: Frame): void {
      this.compilePyCall(pyCall(like, helper, args), frame);
    }

    compileSymbol(node: AnyNode, frame: Frame): void {
      const name: string = node.value;
      const local = frame.lookup(name);
      if (Object.hasOwn(CONSTANTS, name)) this._emit(CONSTANTS[name]);
      else if (local) this._emit(local);
      else this._emit(`env.py.name(context, frame, ${JSON.stringify(name)})`);
    }

    compileLookupVal(node: AnyNode, frame: Frame): void {
      this.call(node, node.attribute ? 'attribute' : 'item', [node.target, node.val], frame);
    }

    compileFunCall(node: AnyNode, frame: Frame): void {
      this._emit(`(lineno = ${node.lineno}, colno = ${node.colno}, env.py.call(`);
      this.compile(node.name, frame);
      this._emit(', ');
      this._compileAggregate(node.args, frame, '[', ']');
      this._emit(`, ${JSON.stringify(this._getNodeName(node.name))}))`);
    }

    compileFilter(node: AnyNode, frame: Frame): void {
      const name: string = node.name.value;
      if (!hasFilter(name)) this.fail(`no filter named '${name}'`, node.lineno, node.colno);
      this._emit(`env.py.filter(${JSON.stringify(name)}, `);
      this._compileAggregate(node.args, frame, '[', ']');
      this._emit(')');
    }

    compileIs(node: AnyNode, frame: Frame): void {
      // `x is none`, `x is true`: the lexer reads these test names as literals.
      const test = node.right.name ?? node.right;
      const name = test instanceof nodes.Literal ? (test.value === null ? 'none' : String(test.value)) : (test.value as string);
      if (!hasTest(name)) this.fail(`no test named '${name}'`, node.lineno, node.colno);
      this._emit(`env.py.test(${JSON.stringify(name)}, [`);
      this.compile(node.left, frame);
      if (node.right.args?.children.length) {
        this._emit(', ');
        this._compileAggregate(node.right.args, frame);
      }
      this._emit('])');
    }

    compileIn(node: AnyNode, frame: Frame): void {
      this.call(node, 'contains', [node.right, node.left], frame);
    }

    compileOr(node: AnyNode, frame: Frame): void {
      this.shortCircuit(node, frame, true);
    }

    compileAnd(node: AnyNode, frame: Frame): void {
      this.shortCircuit(node, frame, false);
    }

    /** Python's `a or b` is a (not `true`) when a is true, and then b is not evaluated; `a and b` is a when a is false. */
    shortCircuit(node: AnyNode, frame: Frame, isOr: boolean): void {
      this._emit(`(function (left) { return env.py.truthy(left) === ${isOr} ? left : (`);
      this.compile(node.right, frame);
      this._emit('); })(');
      this.compile(node.left, frame);
      this._emit(')');
    }

    compileNot(node: AnyNode, frame: Frame): void {
      this._emit('!');
      this.call(node, 'truthy', [node.target], frame);
    }

    compileInlineIf(node: AnyNode, frame: Frame): void {
      this._emit('(');
      this.call(node, 'truthy', [node.cond], frame);
      this._emit(' ? (');
      this.compile(node.body, frame);
      this._emit(') : (');
      if (node.else_) this.compile(node.else_, frame);
      else this._emit('env.py.noElse()');
      this._emit('))');
    }

    compileIf(node: AnyNode, frame: Frame, async?: boolean): void {
      const cond = node.cond;
      node.cond = pyCall(cond, 'truthy', [cond]);
      try {
        super.compileIf(node, frame, async);
      } finally {
        node.cond = cond;
      }
    }

    compileFor(node: AnyNode, frame: Frame): void {
      const arr = node.arr;
      node.arr = pyCall(arr, 'iterable', [arr]);
      try {
        super.compileFor(node, frame);
      } finally {
        node.arr = arr;
      }
    }

    arithmetic(node: AnyNode, frame: Frame): void {
      this.call(node, 'arithmetic', [ARITHMETIC[node.typename], node.left, node.right], frame);
    }

    compileNeg(node: AnyNode, frame: Frame): void {
      this.call(node, 'negate', ['-', node.target], frame);
    }

    compilePos(node: AnyNode, frame: Frame): void {
      this.call(node, 'negate', ['+', node.target], frame);
    }

    compileConcat(node: AnyNode, frame: Frame): void {
      this.call(node, 'concat', [node.left, node.right], frame);
    }

    compileCompare(node: AnyNode, frame: Frame): void {
      this.call(node, 'compare', [node.expr, ...node.ops.flatMap((op: AnyNode) => [op.type, op.expr])], frame);
    }

    compileDict(node: AnyNode, frame: Frame): void {
      this._emit('env.py.dict([');
      node.children.forEach((pair: AnyNode, index: number) => {
        if (index > 0) this._emit(', ');
        this._emit('[');
        this.compile(pair.key, frame);
        this._emit(', ');
        this.compile(pair.value, frame);
        this._emit(']');
      });
      this._emit('])');
    }

    /** `f(name=value)`: here a key is a name, not an expression as in a dict literal. */
    compileKeywordArgs(node: AnyNode, frame: Frame): void {
      this._emit('runtime.makeKeywordArgs({');
      node.children.forEach((pair: AnyNode, index: number) => {
        if (index > 0) this._emit(', ');
        this._emit(`${JSON.stringify(pair.key.value)}: `);
        this.compile(pair.value, frame);
      });
      this._emit('})');
    }

    /** `(a, b)` is a tuple, kept as a list; `(a)` is a. */
    compileGroup(node: AnyNode, frame: Frame): void {
      if (node.children.length === 1) this._compileAggregate(node, frame, '(', ')');
      else this._compileAggregate(node, frame, '[', ']');
    }

    compileOutput(node: AnyNode, frame: Frame): void {
      for (const child of node.children) {
        if (child instanceof nodes.TemplateData) {
          if (!child.value) continue;
          this._emit(`${this.buffer} += env.py.data(context, `);
          this.compileLiteral(child, frame);
          this._emitLine(');');
        } else {
          this._emit(`${this.buffer} += env.py.output(context, `);
          this.compile(child, frame);
          const text = child instanceof nodes.Filter && isTextFilter(child.name.value);
          this._emitLine(`, ${text});`);
        }
      }
    }
  }

  // compileAdd, compileSub, ...: Python's + - * / // % ** on any operands.
  for (const typename of Object.keys(ARITHMETIC)) {
    Compiler.prototype[`compile${typename}`] = function (this: Compiler, node: AnyNode, frame: Frame) {
      this.arithmetic(node, frame);
    };
  }

  return (source: string) => {
    const parser = new Parser(ansibleTokens(nunjucks, source));
    const compiler = new Compiler(undefined, false);
    compiler.compile(parser.parseAsRoot());
    const props: unknown = new Function(compiler.getCode())();
    return new nunjucks.Template({ type: 'code', obj: props }, environment);
  };
}

/**
 * nunjucks' tokenizer, with strings inside `{{ }}` read raw (`'\d'` stays
 * `\d`, as in Ansible), and, as Jinja's lexer balances braces, the `}}` that
 * closes nested dicts (`{{ {'a': {'b': 1}} }}`) read as two braces.
 */
function ansibleTokens(nunjucks: NunjucksInternals, source: string): unknown {
  const { lexer } = nunjucks;
  const tokens = lexer.lex(source, LEXER_OPTIONS);
  let inVariable = false;
  let openBraces = 0;
  const nextToken = tokens.nextToken.bind(tokens);
  const parseString = tokens._parseString.bind(tokens);
  const extractString = tokens._extractString.bind(tokens);
  tokens.nextToken = () => {
    const token = nextToken();
    if (token?.type === lexer.TOKEN_VARIABLE_START || token?.type === lexer.TOKEN_BLOCK_START) openBraces = 0;
    if (token?.type === lexer.TOKEN_VARIABLE_START) inVariable = true;
    else if (token?.type === lexer.TOKEN_VARIABLE_END || token?.type === lexer.TOKEN_BLOCK_START) inVariable = false;
    else if (token?.type === lexer.TOKEN_LEFT_CURLY) openBraces += 1;
    else if (token?.type === lexer.TOKEN_RIGHT_CURLY) openBraces -= 1;
    return token;
  };
  tokens._extractString = (text: string) => (openBraces > 0 && text.endsWith('}}') ? null : extractString(text));
  tokens._parseString = (delimiter: string) => {
    if (!inVariable) return parseString(delimiter);
    tokens.forward();
    let text = '';
    while (!tokens.isFinished() && tokens.current() !== delimiter) {
      if (tokens.current() === '\\') {
        text += tokens.current();
        tokens.forward();
      }
      text += tokens.current();
      tokens.forward();
    }
    tokens.forward();
    return text;
  };
  return tokens;
}
