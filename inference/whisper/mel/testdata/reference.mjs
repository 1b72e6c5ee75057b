// reference.mjs computes Whisper log-mel features for the test signals with
// an independent reference, transformers.js (@xenova/transformers 2.17.2,
// WhisperFeatureExtractor in src/processors.js), and writes what the Go
// tests compare against.
//
// Run from the repository root with Node 18 or later:
//   inference/whisper/mel/testdata/fetch.sh       # transformers.js into .cache/mel-reference
//   node inference/whisper/mel/testdata/reference.mjs
//
// Inputs in testdata/: speech.wav (committed; made once with
//   espeak-ng -w sp.wav "Today I walked by the sea, and I felt calm."
//   sox sp.wav -r 16000 -c 1 -b 16 -e signed-integer speech.wav
// with eSpeak NG 1.51 and SoX 14.4), and sweep.wav and noise.wav, which this
// script writes itself (deterministic: a logarithmic sine sweep and uniform
// white noise from a seeded generator, both 16 kHz mono 16-bit).
//
// Each case places one signal (its samples / 32768 * scale) at a sample
// offset in an otherwise silent input (an offset near 30 s puts it against the window's right edge; one
// running past 30 s is truncated by the extractor) and runs the extractor
// with 80 or 128 mel bins. Its output, [n_mels][3000], is constant (the
// value "fill") outside the frames the signal reaches; the script checks
// that and stores only frames [first, last) of every mel row.
//
// Outputs in testdata/: reference.json (the cases) and reference.f32.gz
// (gzip of the stored frames of every case, float32 little-endian, case
// after case, each row-major [n_mels][last-first] from float offset "data").
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { pathToFileURL } from 'node:url';

const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, '../../../..');
const lib = process.argv[2] ?? path.join(root, '.cache/mel-reference/node_modules/@xenova/transformers');
const pkg = JSON.parse(fs.readFileSync(path.join(lib, 'package.json'), 'utf8'));
const { WhisperFeatureExtractor } = await import(pathToFileURL(path.join(lib, 'src/processors.js')).href);

const SR = 16000;
const N_SAMPLES = 480000;
const N_FRAMES = 3000;

// --- WAV, 16-bit PCM mono --------------------------------------------------
function writeWav(file, pcm) {
  const b = Buffer.alloc(44 + pcm.length * 2);
  b.write('RIFF', 0); b.writeUInt32LE(36 + pcm.length * 2, 4); b.write('WAVE', 8);
  b.write('fmt ', 12); b.writeUInt32LE(16, 16); b.writeUInt16LE(1, 20); b.writeUInt16LE(1, 22);
  b.writeUInt32LE(SR, 24); b.writeUInt32LE(SR * 2, 28); b.writeUInt16LE(2, 32); b.writeUInt16LE(16, 34);
  b.write('data', 36); b.writeUInt32LE(pcm.length * 2, 40);
  for (let i = 0; i < pcm.length; i++) b.writeInt16LE(pcm[i], 44 + 2 * i);
  fs.writeFileSync(file, b);
}
function readWav(file) {
  const b = fs.readFileSync(file);
  if (b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${file}: not a WAV file`);
  let fmt = null;
  for (let p = 12; p + 8 <= b.length;) {
    const id = b.toString('ascii', p, p + 4);
    const n = b.readUInt32LE(p + 4);
    if (id === 'fmt ') {
      fmt = { format: b.readUInt16LE(p + 8), channels: b.readUInt16LE(p + 10), rate: b.readUInt32LE(p + 12), bits: b.readUInt16LE(p + 22) };
    } else if (id === 'data') {
      if (!fmt || fmt.format !== 1 || fmt.channels !== 1 || fmt.rate !== SR || fmt.bits !== 16) {
        throw new Error(`${file}: want 16-bit PCM mono at ${SR} Hz, got ${JSON.stringify(fmt)}`);
      }
      const pcm = new Int16Array(n >> 1);
      for (let i = 0; i < pcm.length; i++) pcm[i] = b.readInt16LE(p + 8 + 2 * i);
      return pcm;
    }
    p += 8 + n + (n & 1);
  }
  throw new Error(`${file}: no data chunk`);
}

// --- generated signals -----------------------------------------------------
function mulberry32(a) {
  return function () {
    a |= 0; a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
// sweep: 2 s, 60 Hz to 7800 Hz (exponential), amplitude 0.5, 10 ms fades.
function sweep() {
  const n = 2 * SR, f0 = 60, f1 = 7800, T = n / SR, k = Math.log(f1 / f0);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / SR;
    const phase = 2 * Math.PI * f0 * T / k * (Math.exp(t / T * k) - 1);
    const fade = Math.min(1, i / 160, (n - 1 - i) / 160);
    out[i] = Math.round(0.5 * fade * Math.sin(phase) * 32767);
  }
  return out;
}
// noise: 1 s of uniform white noise in [-0.25, 0.25), seed 20261125.
function noise() {
  const rand = mulberry32(20261125);
  const out = new Int16Array(SR);
  for (let i = 0; i < out.length; i++) out[i] = Math.floor((rand() * 2 - 1) * 0.25 * 32768);
  return out;
}
writeWav(path.join(here, 'sweep.wav'), sweep());
writeWav(path.join(here, 'noise.wav'), noise());

// --- cases -----------------------------------------------------------------
const cases = [];
for (const nMels of [80, 128]) {
  cases.push(
    { name: `speech/${nMels}`, input: 'speech.wav', offset: 0, n_mels: nMels },
    { name: `sweep/${nMels}`, input: 'sweep.wav', offset: 0, n_mels: nMels },
    { name: `noise/${nMels}`, input: 'noise.wav', offset: 0, n_mels: nMels },
    { name: `silence/${nMels}`, input: '', offset: 0, n_mels: nMels },
    // the noise ends exactly at 30 s: right-edge reflection and the dropped last frame
    { name: `noise-at-end/${nMels}`, input: 'noise.wav', offset: N_SAMPLES - SR, n_mels: nMels },
  );
}
// the speech starts 1 s before the end: the input is longer than 30 s and truncated
cases.push({ name: 'speech-truncated/80', input: 'speech.wav', offset: N_SAMPLES - SR, n_mels: 80 });
// noise at 2^-10 of its level: the log floor (1e-10) is reached before max - 8
cases.push({ name: 'quiet-noise/80', input: 'noise.wav', offset: 0, scale: 1 / 1024, n_mels: 80 });

const chunks = [];
let written = 0;
for (const c of cases) {
  const pcm = c.input ? readWav(path.join(here, c.input)) : new Int16Array(0);
  const x = new Float32Array(c.offset + pcm.length);
  c.scale ??= 1;
  for (let i = 0; i < pcm.length; i++) x[c.offset + i] = (pcm[i] / 32768) * c.scale;
  c.samples = x.length;

  const fe = new WhisperFeatureExtractor({
    feature_size: c.n_mels, sampling_rate: SR, hop_length: 160, chunk_length: 30,
    n_fft: 400, padding_value: 0.0, n_samples: N_SAMPLES, nb_max_frames: N_FRAMES,
    return_attention_mask: false,
  });
  const { input_features: f } = await fe(x);
  const [, nm, nf] = f.dims;
  if (nm !== c.n_mels || nf !== N_FRAMES || f.data.length !== nm * nf) throw new Error(`${c.name}: dims ${f.dims}`);
  const at = (m, t) => f.data[m * nf + t];

  // fill: the value of a frame the signal does not reach (first or last)
  const probe = c.offset > N_SAMPLES / 2 ? 0 : nf - 1;
  const fill = at(0, probe);
  let first = nf, last = 0;
  for (let t = 0; t < nf; t++) {
    for (let m = 0; m < nm; m++) {
      if (at(m, t) !== fill) { first = Math.min(first, t); last = t + 1; break; }
    }
  }
  if (first >= last) first = last = 0;
  const width = last - first;
  const data = new Float32Array(nm * width);
  for (let m = 0; m < nm; m++) for (let t = first; t < last; t++) data[m * width + (t - first)] = at(m, t);
  chunks.push(Buffer.from(data.buffer));
  Object.assign(c, { first, last, fill, data: written });
  written += data.length;
  let mx = -Infinity, mn = Infinity;
  for (const v of f.data) { mx = Math.max(mx, v); mn = Math.min(mn, v); }
  console.log(`${c.name}: frames [${first}, ${last}), fill ${fill}, range [${mn}, ${mx}]`);
}

const out = {
  comment: 'Written by reference.mjs; do not edit. Whisper log-mel features from transformers.js; see reference.mjs.',
  reference: `${pkg.name}@${pkg.version} WhisperFeatureExtractor`,
  n_samples: N_SAMPLES,
  n_frames: N_FRAMES,
  cases,
};
fs.writeFileSync(path.join(here, 'reference.json'), JSON.stringify(out, null, 1) + '\n');
fs.writeFileSync(path.join(here, 'reference.f32.gz'), zlib.gzipSync(Buffer.concat(chunks), { level: 9 }));
console.log(`wrote ${cases.length} cases, ${written} floats`);
