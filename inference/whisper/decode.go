package whisper

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	ort "github.com/yalue/onnxruntime_go"
)

// buffers are a model's tensors reused from window to window: onnxruntime
// writes the decoder's outputs into them, so that nothing per step or per
// window (the cross-attention keys and values are 37 MB at whisper-base
// size) is copied into the Go heap or left for the collector.
type buffers struct {
	hidden *ort.Tensor[float32] // the encoder's last_hidden_state [1, 1500, d_model]
	enc    []ort.Value          // cross-attention keys and values [1, heads, 1500, head_dim], 2 per layer
	empty  *ort.Tensor[float32] // [1, heads, 0, head_dim]: no past
	// kv holds three sets of self-attention keys and values (2 per layer,
	// kvCap positions each): a step reads one and writes another, and the
	// prompt's stays untouched while the attempts run.
	kv     [3][][]float32
	kvCap  int
	logits []float32   // [positions, vocab]
	cross  [][]float32 // per decoder layer with an alignment head: [heads, positions, 1500]
	prompt []float32   // the prompt's last logits row, for every attempt

	// views are tensors over the buffers above, made once each (a step
	// would otherwise make and destroy some 26 of them); ids and branch
	// are a one-token step's inputs, their values set before each run.
	views  map[view]*ort.Tensor[float32]
	ids    *ort.Tensor[int64]
	branch [2]*ort.Tensor[bool]
}

// view names a tensor over the buffers: which buffer (kind and index) and
// how many positions it spans.
type view struct {
	kind     byte // 'k' self-attention cache (index set·2L+slot), 'l' logits, 'x' cross-attention of a layer
	index, n int
}

// tensor returns the view v of data, shaped dims, made on first use.
func (b *buffers) tensor(v view, data []float32, dims ...int64) (ort.Value, error) {
	if t, ok := b.views[v]; ok {
		return t, nil
	}
	t, err := ort.NewTensor(ort.NewShape(dims...), data)
	if err != nil {
		return nil, fmt.Errorf("whisper: tensor: %w", err)
	}
	if b.views == nil {
		b.views = map[view]*ort.Tensor[float32]{}
	}
	b.views[v] = t
	return t, nil
}

const (
	maxPrompt = 8 // positions of a prompt step: <|startoftranscript|>, language, task, <|notimestamps|>
	vocabOf   = 1501
)

func (m *Model) vocab() int { return m.voc.timestampBegin + vocabOf }

// buffers returns the model's buffers, made at the first window.
func (m *Model) buffers() (*buffers, error) {
	if m.bufs != nil {
		return m.bufs, nil
	}
	b := &buffers{}
	var err error
	fail := func(e error) (*buffers, error) {
		b.destroy()
		return nil, fmt.Errorf("whisper: buffers: %w", e)
	}
	if b.hidden, err = ort.NewEmptyTensor[float32](ort.NewShape(1, encoderFrames, int64(m.cfg.DModel))); err != nil {
		return fail(err)
	}
	if b.empty, err = ort.NewTensor(ort.NewShape(1, int64(m.heads), 0, int64(m.headDim)), []float32{}); err != nil {
		return fail(err)
	}
	layers := m.cfg.DecoderLayers
	for range 2 * layers {
		t, err := ort.NewEmptyTensor[float32](ort.NewShape(1, int64(m.heads), encoderFrames, int64(m.headDim)))
		if err != nil {
			return fail(err)
		}
		b.enc = append(b.enc, t)
	}
	b.kvCap = min(m.voc.maxLength, maxPrompt+m.opts.MaxTokens) + 1
	for s := range b.kv {
		b.kv[s] = make([][]float32, 2*layers)
		for k := range b.kv[s] {
			b.kv[s][k] = make([]float32, m.heads*b.kvCap*m.headDim)
		}
	}
	if b.ids, err = ort.NewTensor(ort.NewShape(1, 1), []int64{0}); err != nil {
		return fail(err)
	}
	for i, v := range []bool{false, true} {
		if b.branch[i], err = ort.NewTensor(ort.NewShape(1), []bool{v}); err != nil {
			return fail(err)
		}
	}
	b.logits = make([]float32, maxPrompt*m.vocab())
	b.prompt = make([]float32, m.vocab())
	b.cross = make([][]float32, layers)
	for l := range layers {
		if m.alignsLayer(l) {
			b.cross[l] = make([]float32, m.heads*maxPrompt*encoderFrames)
		}
	}
	m.bufs = b
	return b, nil
}

func (b *buffers) destroy() {
	if b == nil {
		return
	}
	destroyAll(b.enc)
	if b.hidden != nil {
		b.hidden.Destroy()
	}
	if b.empty != nil {
		b.empty.Destroy()
	}
	for _, t := range b.views {
		t.Destroy()
	}
	if b.ids != nil {
		b.ids.Destroy()
	}
	for _, t := range b.branch {
		if t != nil {
			t.Destroy()
		}
	}
}

// window is one window being decoded on the model's buffers.
type window struct {
	m    *Model
	b    *buffers
	encs bool // the cross-attention cache is filled
	// attn holds, after each step, the alignment heads' cross-attention of
	// its last position ([len(m.align)][1500]) when the decoder gives it.
	attn  []float32
	cross bool
}

func (m *Model) newWindow() (*window, error) {
	b, err := m.buffers()
	if err != nil {
		return nil, err
	}
	w := &window{m: m, b: b}
	s := m.merged
	if s == nil {
		s = m.first
	}
	if s.cross && (m.past == nil || m.past.cross) && len(m.align) > 0 {
		w.cross = true
		w.attn = make([]float32, len(m.align)*encoderFrames)
	}
	return w, nil
}

func destroyAll(vs []ort.Value) {
	for _, v := range vs {
		if v != nil {
			v.Destroy()
		}
	}
}

// cache is where a step's self-attention keys and values are: n positions
// in buffer set set (n = 0: none yet).
type cache struct{ set, n int }

// step feeds ids after the cache past and returns the logits at each fed
// position (views of the model's buffer, valid until the next step) and
// the new cache, written into a set other than past's and keep's (-1:
// none). The first step also fills the window's cross-attention cache.
func (w *window) step(ids []int, past cache, keep int) ([][]float32, cache, error) {
	m, b := w.m, w.b
	first := past.n == 0
	s := m.merged
	if s == nil {
		s = m.past
		if first {
			s = m.first
		}
	}
	out := cache{set: -1, n: past.n + len(ids)}
	for set := range b.kv {
		if (first || set != past.set) && set != keep {
			out.set = set
			break
		}
	}
	if out.n > b.kvCap || len(ids) > maxPrompt {
		return nil, out, fmt.Errorf("whisper: %d positions exceed the cache's %d", out.n, b.kvCap)
	}
	var idT ort.Value = b.ids
	if len(ids) == 1 {
		b.ids.GetData()[0] = int64(ids[0])
	} else { // a prompt: once a window
		idData := make([]int64, len(ids))
		for i, id := range ids {
			idData[i] = int64(id)
		}
		t, err := ort.NewTensor(ort.NewShape(1, int64(len(ids))), idData)
		if err != nil {
			return nil, out, fmt.Errorf("whisper: input tensor: %w", err)
		}
		defer t.Destroy()
		idT = t
	}
	branch := b.branch[0]
	if !first {
		branch = b.branch[1]
	}
	heads, hd := int64(m.heads), int64(m.headDim)
	layers2 := 2 * m.cfg.DecoderLayers
	var err error

	inputs := make([]ort.Value, len(s.inputs))
	for i, name := range s.inputs {
		switch name {
		case "input_ids":
			inputs[i] = idT
		case "encoder_hidden_states":
			inputs[i] = b.hidden
		case "use_cache_branch":
			inputs[i] = branch
		default:
			slot := s.inSlots[i]
			switch {
			case first:
				inputs[i] = b.empty
			case !slot.enc:
				v := view{'k', past.set*layers2 + slot.k, past.n}
				if inputs[i], err = b.tensor(v, b.kv[past.set][slot.k][:int(heads)*past.n*int(hd)], 1, heads, int64(past.n), hd); err != nil {
					return nil, out, err
				}
			default:
				inputs[i] = b.enc[slot.k]
			}
		}
	}
	vocab := m.vocab()
	outputs := make([]ort.Value, len(s.outputs))
	for i, name := range s.outputs {
		slot := s.outSlots[i]
		switch {
		case name == "logits":
			outputs[i], err = b.tensor(view{'l', 0, len(ids)}, b.logits[:len(ids)*vocab], 1, int64(len(ids)), int64(vocab))
		case s.crossLayers[i] >= 0:
			l := s.crossLayers[i]
			outputs[i], err = b.tensor(view{'x', l, len(ids)}, b.cross[l][:int(heads)*len(ids)*encoderFrames], 1, heads, int64(len(ids)), encoderFrames)
		case slot.ok && !slot.enc:
			v := view{'k', out.set*layers2 + slot.k, out.n}
			outputs[i], err = b.tensor(v, b.kv[out.set][slot.k][:int(heads)*out.n*int(hd)], 1, heads, int64(out.n), hd)
		case slot.ok && first:
			outputs[i] = b.enc[slot.k]
		}
		// Left nil: the cached branch's placeholders for the
		// cross-attention cache, which onnxruntime allocates.
		if err != nil {
			return nil, out, err
		}
	}
	if err := s.s.Run(inputs, outputs); err != nil {
		return nil, out, fmt.Errorf("whisper: run %s: %w", s.path, err)
	}
	for i, v := range outputs {
		slot := s.outSlots[i]
		if v != nil && slot.ok && slot.enc && !first {
			v.Destroy()
		}
	}
	rows := make([][]float32, len(ids))
	for p := range rows {
		rows[p] = b.logits[p*vocab : (p+1)*vocab]
	}
	if first || len(ids) > 1 {
		// A step's own row is checked as it is normalised (next).
		if slices.ContainsFunc(b.logits[:len(ids)*vocab], func(x float32) bool { return x != x || math.IsInf(float64(x), 1) }) {
			return nil, out, fmt.Errorf("whisper: %s gave a NaN or infinite logit", s.path)
		}
	}
	if first {
		w.encs = true
	}
	if w.cross {
		last := int64(len(ids) - 1)
		for i, h := range m.align {
			src := b.cross[h[0]][(int64(h[1])*int64(len(ids))+last)*encoderFrames:][:encoderFrames]
			copy(w.attn[i*encoderFrames:], src)
		}
	}
	return rows, out, nil
}

// attempt is one decoding of a window at one temperature.
type attempt struct {
	tokens       []int // generated, without <|endoftext|>
	sumLogProb   float64
	avgLogProb   float64
	noSpeechProb float64
	compression  float64
	temperature  float32
	text         string
	// attn holds, for each generated token and the one after the last
	// (<|endoftext|> or where decoding stopped), the alignment heads'
	// cross-attention of the position that predicted it:
	// [len(tokens)+1][heads][1500]; nil without cross-attention outputs.
	attn []float32
}

// decodeWindow decodes one encoded window (in the model's buffers): the
// prompt (with language detection when lang is ""), then greedy decoding
// and the temperature fallback. It returns the accepted attempt and the
// language.
func (m *Model) decodeWindow(ctx context.Context, index int, lang string) (attempt, string, error) {
	w, err := m.newWindow()
	if err != nil {
		return attempt{}, "", err
	}
	v := m.voc
	if !v.multilingual {
		lang = "en"
	}
	var tail []int
	if v.multilingual {
		task := v.transcribe
		if m.opts.Task == "translate" {
			task = v.translate
		}
		tail = append(tail, -1, task) // -1: the language, filled in below
	}
	if !m.opts.Timestamps {
		tail = append(tail, v.noTimestamps)
	}
	var rows [][]float32
	var past cache
	noSpeech := 0.0
	noSpeechAt := func(row []float32) {
		if v.noSpeech >= 0 && v.noSpeech < len(row) {
			noSpeech = math.Exp(logSoftmaxAt(row, v.noSpeech))
		}
	}
	if lang == "" {
		// Detect: one step on <|startoftranscript|>, the best language token.
		rows, past, err = w.step([]int{v.sot}, cache{}, -1)
		if err != nil {
			return attempt{}, "", err
		}
		best := math.Inf(-1)
		for code, id := range v.languages {
			if id < len(rows[0]) && (float64(rows[0][id]) > best || (float64(rows[0][id]) == best && code < lang)) {
				best, lang = float64(rows[0][id]), code
			}
		}
		tail[0] = v.languages[lang]
		noSpeechAt(rows[0])
		if rows, past, err = w.step(tail, past, -1); err != nil {
			return attempt{}, "", err
		}
	} else {
		if v.multilingual {
			tail[0] = v.languages[lang]
		}
		if rows, past, err = w.step(append([]int{v.sot}, tail...), cache{}, -1); err != nil {
			return attempt{}, "", err
		}
		noSpeechAt(rows[0])
	}
	promptLen := 1 + len(tail)
	copy(w.b.prompt, rows[len(rows)-1])
	var promptAttn []float32
	if w.cross {
		promptAttn = slices.Clone(w.attn)
	}

	var best attempt
	for i, t := range m.opts.Temperatures {
		rng := rand.New(rand.NewPCG(m.opts.Seed, uint64(index)<<8|uint64(i)))
		a, err := m.sample(ctx, w, past, promptAttn, promptLen, t, rng)
		if err != nil {
			return attempt{}, "", err
		}
		a.noSpeechProb = noSpeech
		best = a
		if !m.needsFallback(a) {
			break
		}
	}
	return best, lang, nil
}

// needsFallback reports whether an attempt fails the checks and is not
// silence.
func (m *Model) needsFallback(a attempt) bool {
	o := m.opts
	fail := false
	if o.CompressionRatioThreshold > 0 && a.compression > o.CompressionRatioThreshold {
		fail = true
	}
	if !o.DisableLogProbCheck && a.avgLogProb < o.LogProbThreshold {
		fail = true
	}
	if o.NoSpeechThreshold > 0 && a.noSpeechProb > o.NoSpeechThreshold {
		fail = false
	}
	return fail
}

// silent reports whether an accepted attempt is taken for silence.
func (m *Model) silent(a attempt) bool {
	o := m.opts
	if o.NoSpeechThreshold <= 0 || a.noSpeechProb <= o.NoSpeechThreshold {
		return false
	}
	return o.DisableLogProbCheck || a.avgLogProb < o.LogProbThreshold
}

// sample generates tokens after the prompt, whose cache is prompt and whose
// last logits are in the buffers' prompt row, at temperature t.
func (m *Model) sample(ctx context.Context, w *window, prompt cache, promptAttn []float32, promptLen int, t float32, rng *rand.Rand) (attempt, error) {
	a := attempt{temperature: t}
	if promptAttn != nil {
		a.attn = append(make([]float32, 0, 32*len(promptAttn)), promptAttn...)
	}
	logits := w.b.logits[:m.vocab()]
	copy(logits, w.b.prompt)
	past := prompt
	for len(a.tokens) < m.opts.MaxTokens && promptLen+len(a.tokens) < m.voc.maxLength {
		if err := ctx.Err(); err != nil {
			return attempt{}, fmt.Errorf("whisper: %w", err)
		}
		next, lp := m.next(logits, a.tokens, t, rng)
		if lp != lp {
			return attempt{}, fmt.Errorf("whisper: the decoder gave a NaN or infinite logit")
		}
		a.sumLogProb += lp
		if next == m.voc.eot {
			break
		}
		a.tokens = append(a.tokens, next)
		rows, present, err := w.step([]int{next}, past, prompt.set)
		if err != nil {
			return attempt{}, err
		}
		past, logits = present, rows[0]
		if w.cross {
			a.attn = append(a.attn, w.attn...)
		}
	}
	a.avgLogProb = a.sumLogProb / float64(len(a.tokens)+1)
	a.text = m.text(a.tokens)
	a.compression = compressionRatio(a.text)
	return a, nil
}

// filter applies Whisper's logit rules in place: suppress_tokens, the
// special tokens, begin_suppress_tokens at the first step, and the
// timestamp rules (or no timestamps at all without Timestamps). It returns
// which ranges of the row are left, with what it learned of them.
func (m *Model) filter(logits []float32, tokens []int) live {
	v := m.voc
	neg := float32(math.Inf(-1))
	set := func(id int) {
		if id >= 0 && id < len(logits) {
			logits[id] = neg
		}
	}
	for _, id := range v.suppress {
		set(id)
	}
	for id := v.eot + 1; id < v.timestampBegin && id < len(logits); id++ {
		set(id)
	}
	if len(tokens) == 0 {
		for _, id := range v.beginSuppress {
			set(id)
		}
	}
	l := live{textEnd: min(v.eot+1, len(logits)), text: true}
	tsBegin := v.timestampBegin
	if tsBegin >= len(logits) {
		return l
	}
	if !m.opts.Timestamps {
		for id := tsBegin; id < len(logits); id++ {
			logits[id] = neg
		}
		return l
	}
	n := len(tokens)
	lastTS := n >= 1 && tokens[n-1] >= tsBegin
	penultimateTS := n < 2 || tokens[n-2] >= tsBegin
	if lastTS {
		if penultimateTS {
			for id := tsBegin; id < len(logits); id++ {
				logits[id] = neg // a pair just closed: text or the end next
			}
		} else {
			for id := 0; id < v.eot; id++ {
				logits[id] = neg // a segment's end: a timestamp or the end next
			}
		}
	}
	lastSeen := -1
	for _, t := range tokens {
		if t >= tsBegin {
			lastSeen = t
		}
	}
	if lastSeen >= 0 {
		// Timestamps never decrease, and a segment has a nonzero length.
		limit := lastSeen + 1
		if lastTS && !penultimateTS {
			limit = lastSeen
		}
		for id := tsBegin; id < limit && id < len(logits); id++ {
			logits[id] = neg
		}
	}
	if n == 0 {
		for id := 0; id < tsBegin; id++ {
			logits[id] = neg // the first token is a timestamp
		}
		if v.maxInitialTimestamp >= 0 {
			for id := tsBegin + v.maxInitialTimestamp + 1; id < len(logits); id++ {
				logits[id] = neg
			}
		}
	}
	// When the timestamps together are likelier than any text token, take
	// a timestamp.
	tsTop, tsArg, tsSum, nan := scanLSE(logits[tsBegin:])
	l.stamps, l.tsTop, l.tsArg, l.tsSum = tsArg >= 0, tsTop, tsBegin+tsArg, tsSum
	l.textTop, l.textArg, l.nan = maxArg(logits[:l.textEnd])
	l.nan = l.nan || nan
	l.textKnown = true
	if l.stamps && float64(tsTop)+math.Log(float64(tsSum)) > float64(l.textTop) {
		for id := 0; id < tsBegin; id++ {
			logits[id] = neg
		}
		l.text = false
	}
	return l
}

// compressionRatio is the length of text over the length of its zlib
// compression: high for repetitive text.
func compressionRatio(text string) float64 {
	if text == "" {
		return 0
	}
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	zw.Write([]byte(text))
	zw.Close()
	return float64(len(text)) / float64(buf.Len())
}

// text decodes the text tokens among ids.
func (m *Model) text(ids []int) string {
	var keep []int
	for _, id := range ids {
		if id < m.voc.eot {
			keep = append(keep, id)
		}
	}
	return m.voc.tok.Decode(keep, true)
}
