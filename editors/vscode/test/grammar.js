// The TextMate grammar, run by the engine VS Code itself uses (vscode-textmate with the
// Oniguruma regex engine): each kind of token of a recipe gets its scope, every keyword of the
// grammar (grammar/ssl.pest) is highlighted as one, and every shipped recipe tokenizes.
// `npm test` here; exits non-zero on the first token that is not so.
const fs = require('fs');
const path = require('path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const root = path.join(__dirname, '..', '..', '..');
const grammarPath = path.join(__dirname, '..', 'syntaxes', 'ssl.tmLanguage.json');

async function load() {
  const wasm = fs.readFileSync(path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope) =>
      scope === 'source.ssl' ? vsctm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath) : null,
  });
  return registry.loadGrammar('source.ssl');
}

// Every token of `text` as [its text, its innermost scope].
function tokens(grammar, text) {
  let stack = vsctm.INITIAL;
  const out = [];
  for (const line of text.split('\n')) {
    const r = grammar.tokenizeLine(line, stack);
    for (const t of r.tokens) {
      out.push([line.slice(t.startIndex, t.endIndex), t.scopes[t.scopes.length - 1]]);
    }
    stack = r.ruleStack;
  }
  return out;
}

function expect(seen, text, scope) {
  if (!seen.some(([t, s]) => t === text && s === scope)) {
    const found = seen.filter(([t]) => t === text).map(([, s]) => s);
    throw new Error(`"${text}" should be ${scope}, is ${found.join(', ') || 'not a token'}`);
  }
}

async function main() {
  const grammar = await load();
  const sample = [
    '# a recipe',
    'data {',
    '  source = image_folder(path: "data/train", size: 32)',
    '}',
    'view v1 = image |> random_resized_crop(size: 32, scale: (0.2, 1.0)) |> flip(p: 0.5)',
    'let z = v1 |> online.backbone(mask: m) |> cls',
    'loss l weight 0.5 = neg_cosine(z, sg(t)) * 2e-3',
    'train {',
    '  sync_batchnorm = true',
    '}',
  ].join('\n');
  const seen = tokens(grammar, sample);
  const want = [
    ['# a recipe', 'comment.line.number-sign.ssl'],
    ['data', 'keyword.other.declaration.ssl'],
    ['view', 'keyword.other.declaration.ssl'],
    ['weight', 'keyword.other.declaration.ssl'],
    ['image_folder', 'entity.name.function.ssl'],
    ['random_resized_crop', 'entity.name.function.ssl'],
    ['size', 'variable.parameter.ssl'],
    // A keyword as an argument's name is a name there (`mask: m`).
    ['mask', 'variable.parameter.ssl'],
    ['32', 'constant.numeric.ssl'],
    ['0.5', 'constant.numeric.ssl'],
    ['2e-3', 'constant.numeric.ssl'],
    ['"data/train"', 'string.quoted.double.ssl'],
    ['backbone', 'variable.other.property.ssl'],
    ['true', 'constant.language.boolean.ssl'],
    ['|>', 'keyword.operator.ssl'],
  ];
  for (const [text, scope] of want) {
    expect(seen, text, scope);
  }
  // The grammar's own keyword list.
  const pest = fs.readFileSync(path.join(root, 'grammar', 'ssl.pest'), 'utf8');
  const rule = pest.slice(pest.indexOf('keyword = _{'));
  const keywords = [...rule.slice(0, rule.indexOf('}')).matchAll(/"(\w+)"/g)].map((m) => m[1]);
  if (keywords.length < 10) {
    throw new Error(`the keyword rule was not found in grammar/ssl.pest: ${keywords}`);
  }
  for (const k of keywords) {
    const scope = ['true', 'false'].includes(k) ? 'constant.language.boolean.ssl' : 'keyword.other.declaration.ssl';
    expect(tokens(grammar, `${k} `), k, scope);
  }
  // Every shipped recipe: each declaration's keyword at the start of its line is one.
  const dir = path.join(root, 'recipes');
  let lines = 0;
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ssl'))) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    const seen = tokens(grammar, text);
    for (const line of text.split('\n')) {
      const head = line.split(/\s/)[0];
      if (keywords.includes(head)) {
        expect(seen, head, 'keyword.other.declaration.ssl');
        lines += 1;
      }
    }
  }
  console.log(`grammar: ${want.length} tokens, ${keywords.length} keywords, ${lines} declarations of recipes/ as expected`);
}

main().catch((e) => {
  console.error(`grammar test failed: ${e.message}`);
  process.exit(1);
});
