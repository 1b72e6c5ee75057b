// reference.mjs encodes the test sentences with an independent reference,
// transformers.js, and writes the ids the Go tests compare against.
//
// Setup, outside the repository:
//   mkdir -p /tmp/tokref && cd /tmp/tokref && npm install --ignore-scripts @xenova/transformers@2.17.2
//   inference/tokenizer/testdata/fetch.sh      # vocabularies into .cache/tokenizers
// Run from the repository root with Node 20:
//   node inference/tokenizer/testdata/reference.mjs /tmp/tokref/node_modules/@xenova/transformers
//
// Inputs: testdata/sentences.json (hand-written), variations of them made
// here with a fixed seed, and the first GOEMOTIONS_COUNT texts of GoEmotions'
// dev.tsv ($SAMO_GOEMOTIONS_DIR, default /work/shared/data/goemotions). The
// GoEmotions texts are not written out, only their ids.
//
// Outputs in testdata/: reference_sentences.json (every sentence used) and
// reference_{wordpiece_uncased,wordpiece_cased,bpe}.json (ids per sentence and
// per GoEmotions line).
//
// Two methods of transformers.js 2.17.2's BertNormalizer depart from BERT
// (Google's original and Hugging Face's tokenizers) and are corrected below
// before encoding: accent stripping removes only U+0300..U+036F instead of
// every non-spacing mark (Mn), so e.g. U+FE0F after an emoji or Devanagari
// vowel signs survive; and CJK spacing walks UTF-16 code units, so
// ideographs outside the BMP are never split off. Everything else is the
// library's own code.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const GOEMOTIONS_COUNT = 400;
const GENERATED = 900;

const lib = process.argv[2];
if (!lib) {
  console.error('usage: node reference.mjs PATH/TO/node_modules/@xenova/transformers');
  process.exit(2);
}
const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, '../../..');
const { env } = await import(pathToFileURL(path.join(lib, 'src/env.js')).href);
const { AutoTokenizer } = await import(pathToFileURL(path.join(lib, 'src/tokenizers.js')).href);
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = path.join(root, '.cache/tokenizers') + '/';

// --- sentences ------------------------------------------------------------
const seeds = JSON.parse(fs.readFileSync(path.join(here, 'sentences.json'), 'utf8'));

function mulberry32(a) {
  return function () {
    a |= 0; a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(20240615);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const seps = [' ', '  ', '\n', '\t', ' \n ', '. ', '! ', '', '\r\n', ' - ', '... ', '\n\n'];
const junk = ['  ', '\t', '\n', '!!', '?', '...', ' \u00a0', '\u200b', '😂', 'é', '\u0301', "'", "'s", '$', '42', ' 7', '中', '－', '\u3000', '#', ':)'];
const pool = [...'aeiouxyzAEIOUXYZ0123456789 \t\n!?.,;:\'"-_()[]{}@#$%^&*+=/\\|~`éüßñçøåÆŒΣσςİıДжЖ中日本語한국ひらカタ😀👍🏽❤️\u200d\u0301\u00a0\u3000١٢३'];
const variants = [];
for (let k = 0; k < GENERATED; k++) {
  const kind = k % 6;
  let s;
  if (kind === 5) {
    const n = 1 + Math.floor(rand() * 40);
    s = Array.from({ length: n }, () => pick(pool)).join('');
  } else {
    const parts = [pick(seeds)];
    const more = Math.floor(rand() * 3);
    for (let j = 0; j < more; j++) parts.push(pick(seps), pick(seeds));
    s = parts.join('');
    if (kind === 1) s = s.toUpperCase();
    if (kind === 2) s = s.toLowerCase();
    if (kind === 3 || kind === 4) {
      const cps = [...s];
      const at = Math.floor(rand() * (cps.length + 1));
      cps.splice(at, 0, pick(junk));
      s = cps.join('');
    }
  }
  variants.push(s);
}
const sentences = [...seeds, ...variants];

const goDir = process.env.SAMO_GOEMOTIONS_DIR || '/work/shared/data/goemotions';
const goTexts = fs.readFileSync(path.join(goDir, 'dev.tsv'), 'utf8')
  .split('\n').filter((l) => l !== '').slice(0, GOEMOTIONS_COUNT).map((l) => l.split('\t')[0]);

// --- tokenizers -----------------------------------------------------------
function faithfulBert(tok) {
  const n = tok.normalizer;
  n.stripAccents = (text) => text.normalize('NFD').replace(/\p{Mn}/gu, '');
  n._tokenize_chinese_chars = (text) => {
    let out = '';
    for (const ch of text) out += n._is_chinese_char(ch.codePointAt(0)) ? ` ${ch} ` : ch;
    return out;
  };
  return tok;
}
const uncased = faithfulBert(await AutoTokenizer.from_pretrained('bert-uncased'));
const cased = faithfulBert(await AutoTokenizer.from_pretrained('bert-cased'));
const gpt2 = await AutoTokenizer.from_pretrained('gpt2');

function encodeAll(tok) {
  const enc = (s) => tok.encode(s);
  return { sentences: sentences.map(enc), goemotions: goTexts.map(enc) };
}
function write(name, value) {
  fs.writeFileSync(path.join(here, name), JSON.stringify(value) + '\n');
}
const meta = { reference: 'transformers.js ' + JSON.parse(fs.readFileSync(path.join(lib, 'package.json'), 'utf8')).version, goemotions_file: 'dev.tsv', goemotions_count: goTexts.length };
write('reference_sentences.json', sentences);
write('reference_wordpiece_uncased.json', { ...meta, ...encodeAll(uncased) });
write('reference_wordpiece_cased.json', { ...meta, ...encodeAll(cased) });
write('reference_bpe.json', { ...meta, ...encodeAll(gpt2) });
console.log(`reference: ${sentences.length} sentences, ${goTexts.length} GoEmotions texts`);
