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

// window holds one window's encoder states and cross-attention cache while
// it is decoded.
type window struct {
	m      *Model
	hidden ort.Value
	empty  *ort.Tensor[float32] // [1, heads, 0, head_dim]: no past
	enc    []ort.Value          // cross-attention keys and values, 2 per layer
}

func (m *Model) newWindow(hidden ort.Value) (*window, error) {
	empty, err := ort.NewTensor(ort.NewShape(1, int64(m.heads), 0, int64(m.headDim)), []float32{})
	if err != nil {
		return nil, fmt.Errorf("whisper: empty cache tensor: %w", err)
	}
	return &window{m: m, hidden: hidden, empty: empty}, nil
}

func (w *window) close() {
	destroyAll(w.enc)
	w.enc = nil
	w.empty.Destroy()
}

func destroyAll(vs []ort.Value) {
	for _, v := range vs {
		if v != nil {
			v.Destroy()
		}
	}
}

// step feeds ids after the self-attention cache past (nil at the start)
// and returns the logits at each fed position and the new cache, which the
// caller owns. The first step also fills the window's cross-attention
// cache.
func (w *window) step(ids []int, past []ort.Value) ([][]float32, []ort.Value, error) {
	m := w.m
	first := past == nil
	s := m.merged
	if s == nil {
		s = m.past
		if first {
			s = m.first
		}
	}
	idData := make([]int64, len(ids))
	for i, id := range ids {
		idData[i] = int64(id)
	}
	idT, err := ort.NewTensor(ort.NewShape(1, int64(len(ids))), idData)
	if err != nil {
		return nil, nil, fmt.Errorf("whisper: input tensor: %w", err)
	}
	defer idT.Destroy()
	branch, err := ort.NewTensor(ort.NewShape(1), []bool{!first})
	if err != nil {
		return nil, nil, fmt.Errorf("whisper: input tensor: %w", err)
	}
	defer branch.Destroy()

	inputs := make([]ort.Value, len(s.inputs))
	for i, name := range s.inputs {
		switch name {
		case "input_ids":
			inputs[i] = idT
		case "encoder_hidden_states":
			inputs[i] = w.hidden
		case "use_cache_branch":
			inputs[i] = branch
		default:
			slot := s.inSlots[i]
			switch {
			case first:
				inputs[i] = w.empty
			case !slot.enc:
				inputs[i] = past[slot.k]
			default:
				inputs[i] = w.enc[slot.k]
			}
		}
	}
	outputs := make([]ort.Value, len(s.outputs))
	if err := s.s.Run(inputs, outputs); err != nil {
		return nil, nil, fmt.Errorf("whisper: run %s: %w", s.path, err)
	}
	layers := m.cfg.DecoderLayers
	present := make([]ort.Value, 2*layers)
	var rows [][]float32
	var bad error
	for i, name := range s.outputs {
		v := outputs[i]
		if name == "logits" {
			t, ok := v.(*ort.Tensor[float32])
			if !ok {
				bad = fmt.Errorf("whisper: %s: logits are not float32", s.path)
			} else {
				data, vocab := t.GetData(), int(t.GetShape()[2])
				for p := range len(ids) {
					rows = append(rows, append([]float32(nil), data[p*vocab:(p+1)*vocab]...))
				}
				if slices.ContainsFunc(data, func(x float32) bool { return x != x || math.IsInf(float64(x), 1) }) {
					bad = fmt.Errorf("whisper: %s gave a NaN or infinite logit", s.path)
				}
			}
			v.Destroy()
			continue
		}
		slot := s.outSlots[i]
		if !slot.ok || !slot.present {
			v.Destroy()
			continue
		}
		k := slot.k
		switch {
		case !slot.enc:
			present[k] = v
		case first:
			if w.enc == nil {
				w.enc = make([]ort.Value, 2*layers)
			}
			w.enc[k] = v
		default:
			// The merged decoder's cached branch returns placeholders.
			v.Destroy()
		}
	}
	if bad == nil {
		for k, v := range present {
			if v == nil {
				bad = fmt.Errorf("whisper: %s gave no present key or value %d", s.path, k)
			}
		}
	}
	if bad == nil && first && (w.enc == nil || slicesHasNil(w.enc)) {
		bad = fmt.Errorf("whisper: %s gave no cross-attention keys and values", s.path)
	}
	if bad != nil {
		destroyAll(present)
		return nil, nil, bad
	}
	return rows, present, nil
}

func slicesHasNil(vs []ort.Value) bool {
	for _, v := range vs {
		if v == nil {
			return true
		}
	}
	return false
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
}

// decodeWindow decodes one encoded window: the prompt (with language
// detection when lang is ""), then greedy decoding and the temperature
// fallback. It returns the accepted attempt and the language.
func (m *Model) decodeWindow(ctx context.Context, hidden ort.Value, index int, lang string) (attempt, string, error) {
	w, err := m.newWindow(hidden)
	if err != nil {
		return attempt{}, "", err
	}
	defer w.close()
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
	var past []ort.Value
	if lang == "" {
		// Detect: one step on <|startoftranscript|>, the best language token.
		rows, past, err = w.step([]int{v.sot}, nil)
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
		noSpeech := rows[0]
		more, next, err := w.step(tail, past)
		destroyAll(past)
		if err != nil {
			return attempt{}, "", err
		}
		rows, past = append([][]float32{noSpeech}, more...), next
	} else {
		if v.multilingual {
			tail[0] = v.languages[lang]
		}
		rows, past, err = w.step(append([]int{v.sot}, tail...), nil)
		if err != nil {
			return attempt{}, "", err
		}
	}
	defer destroyAll(past)
	noSpeech := 0.0
	if v.noSpeech >= 0 && v.noSpeech < len(rows[0]) {
		noSpeech = math.Exp(float64(logSoftmaxAt(rows[0], v.noSpeech)))
	}
	promptLen := 1 + len(tail)
	last := rows[len(rows)-1]

	var best attempt
	for i, t := range m.opts.Temperatures {
		rng := rand.New(rand.NewPCG(m.opts.Seed, uint64(index)<<8|uint64(i)))
		a, err := m.sample(ctx, w, past, last, promptLen, t, rng)
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

// sample generates tokens after the prompt, whose cache is promptPast and
// whose last logits are row, at temperature t.
func (m *Model) sample(ctx context.Context, w *window, promptPast []ort.Value, row []float32, promptLen int, t float32, rng *rand.Rand) (attempt, error) {
	a := attempt{temperature: t}
	past, owned := promptPast, false // the prompt's cache is the caller's
	defer func() {
		if owned {
			destroyAll(past)
		}
	}()
	logits := make([]float32, len(row))
	for len(a.tokens) < m.opts.MaxTokens && promptLen+len(a.tokens) < m.voc.maxLength {
		if err := ctx.Err(); err != nil {
			return attempt{}, fmt.Errorf("whisper: %w", err)
		}
		copy(logits, row)
		next, lp := m.next(logits, a.tokens, t, rng)
		a.sumLogProb += lp
		if next == m.voc.eot {
			break
		}
		a.tokens = append(a.tokens, next)
		rows, present, err := w.step([]int{next}, past)
		if err != nil {
			return attempt{}, err
		}
		if owned {
			destroyAll(past)
		}
		past, row, owned = present, rows[0], true
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
	tsTop, tsArg, tsSum := scanLSE(logits[tsBegin:])
	l.stamps, l.tsTop, l.tsArg, l.tsSum = tsArg >= 0, tsTop, tsBegin+tsArg, tsSum
	l.textTop, l.textArg = maxArg(logits[:l.textEnd])
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
