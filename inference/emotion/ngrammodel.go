package emotion

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/samojournal/samo/inference"
	"github.com/samojournal/samo/inference/emotion/ngram"
	"github.com/samojournal/samo/inference/models"
	"github.com/samojournal/samo/inference/textcls"
	"github.com/samojournal/samo/journal"
)

// Names of the n-gram model's graph inputs and outputs.
const (
	ngramIDs      = "feature_ids"
	ngramValues   = "feature_values"
	ngramScores   = "scores"
	ngramContribs = "contributions"
	// The convolutional ensemble's token inputs.
	ngramTokenIDs    = "token_ids"
	ngramTokenShares = "token_shares"
	ngramTokenMask   = "token_mask"
)

// ngramModel runs SAMO's own linear n-gram model: features are computed in
// Go, weights and sums in onnxruntime.
type ngramModel struct {
	vocab *ngram.Vocab
	rt    *inference.Runtime
	data  []byte
	opts  Options
	prov  inference.Provider
	run   *ort.DynamicAdvancedSession
	// occlude is set for a model that is not additive (the ensembles): its
	// explanations come from leaving each word out in turn.
	occlude bool
	// tokens is set for a model that also takes the tokens' word-vector ids
	// (the convolutional ensemble), whose n-gram features are the n-gram
	// rows only.
	tokens bool

	mu          sync.Mutex
	explainSess *ort.DynamicAdvancedSession // created on first use
}

func openNgram(rt *inference.Runtime, b *models.Bundle, opts Options, arch string) (*ngramModel, error) {
	m := b.Manifest
	if m.Tokenizer.Kind != "ngram" || len(m.Tokenizer.Files) != 1 {
		return nil, fmt.Errorf("emotion: model %s: architecture %s needs one ngram vocabulary file, the manifest gives %s %v",
			m.Name, ArchNgram, m.Tokenizer.Kind, m.Tokenizer.Files)
	}
	raw, err := b.ReadFile(m.Tokenizer.Files[0])
	if err != nil {
		return nil, err
	}
	vocab, err := ngram.Read(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("emotion: model %s: %s: %w", m.Name, m.Tokenizer.Files[0], err)
	}
	f, ok := b.FileWithRole("model")
	if !ok {
		return nil, fmt.Errorf("emotion: model %s lists no file with role \"model\"", m.Name)
	}
	data, err := b.ReadFile(f.Path)
	if err != nil {
		return nil, err
	}
	nm := &ngramModel{rt: rt, vocab: vocab, data: data, opts: opts, occlude: arch != ArchNgram, tokens: arch == ArchNgramCNN}
	nm.run, err = nm.session(ngramScores)
	if err != nil {
		return nil, fmt.Errorf("emotion: model %s: load %s: %w", m.Name, f.Path, err)
	}
	return nm, nil
}

func (m *ngramModel) session(outputs ...string) (*ort.DynamicAdvancedSession, error) {
	var sess *ort.DynamicAdvancedSession
	prov, err := m.rt.CreateSession(m.opts.Provider, m.opts.Threads, func(so *ort.SessionOptions) error {
		var err error
		sess, err = ort.NewDynamicAdvancedSessionWithONNXData(m.data, m.inputNames(), outputs, so)
		return err
	})
	if err != nil {
		return nil, err
	}
	m.prov = prov
	return sess, nil
}

func (m *ngramModel) provider() inference.Provider { return m.prov }

func (m *ngramModel) inputNames() []string {
	if m.tokens {
		return []string{ngramIDs, ngramValues, ngramTokenIDs, ngramTokenShares, ngramTokenMask}
	}
	return []string{ngramIDs, ngramValues}
}

// inputs featurizes texts into padded tensors: feature ids and values,
// and for the convolutional ensemble the tokens' vector ids, shares of the
// mean vector and mask. The caller destroys the tensors.
func (m *ngramModel) inputs(texts []string) ([]ngram.Features, []ort.Value, error) {
	fs := make([]ngram.Features, len(texts))
	workers := min(m.opts.Threads, (len(texts)+31)/32)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(texts); i += workers {
				fs[i] = m.vocab.Transform(texts[i])
			}
		}()
	}
	wg.Wait()
	var seqs [][]int32
	var shares [][]float32
	n := 1
	if m.tokens {
		// the graph computes the mean vector from the tokens: only the
		// n-gram rows go in as features (rows are sorted, vector rows last)
		seqs, shares = make([][]int32, len(fs)), make([][]float32, len(fs))
		sparse := int32(m.vocab.SparseRows())
		for i := range fs {
			f := &fs[i]
			seqs[i], shares[i] = m.vocab.VectorIDs(*f)
			n = max(n, len(seqs[i]))
			cut, _ := slices.BinarySearchFunc(f.Features, sparse, func(x ngram.Feature, r int32) int { return int(x.Row - r) })
			f.Features = f.Features[:cut]
		}
	}
	width := 1
	for i := range fs {
		width = max(width, len(fs[i].Features))
	}
	ids := make([]int64, len(texts)*width)
	vals := make([]float32, len(texts)*width)
	for i, f := range fs {
		for j, x := range f.Features {
			ids[i*width+j] = int64(x.Row)
			vals[i*width+j] = x.Value
		}
	}
	shape := ort.NewShape(int64(len(texts)), int64(width))
	vs, err := appendTensor(nil, shape, ids)
	if err == nil {
		vs, err = appendTensor(vs, shape, vals)
	}
	if err != nil {
		return nil, nil, err
	}
	if !m.tokens {
		return fs, vs, nil
	}
	tid := make([]int64, len(texts)*n)
	tsh := make([]float32, len(texts)*n)
	tmask := make([]float32, len(texts)*n)
	for i := range seqs {
		for t, id := range seqs[i] {
			tid[i*n+t], tsh[i*n+t], tmask[i*n+t] = int64(id), shares[i][t], 1
		}
	}
	tshape := ort.NewShape(int64(len(texts)), int64(n))
	vs, err = appendTensor(vs, tshape, tid)
	if err == nil {
		vs, err = appendTensor(vs, tshape, tsh)
	}
	if err == nil {
		vs, err = appendTensor(vs, tshape, tmask)
	}
	if err != nil {
		return nil, nil, err
	}
	return fs, vs, nil
}

// appendTensor appends a tensor of data to vs; on failure it destroys vs.
func appendTensor[T ort.TensorData](vs []ort.Value, shape ort.Shape, data []T) ([]ort.Value, error) {
	t, err := ort.NewTensor(shape, data)
	if err != nil {
		destroyAll(vs)
		return nil, fmt.Errorf("emotion: input tensor: %w", err)
	}
	return append(vs, t), nil
}

func destroyAll(vs []ort.Value) {
	for _, v := range vs {
		v.Destroy()
	}
}

// maxWindowBytes bounds the text the model reads at once. A longer text is
// read in windows of at most this many bytes, cut at white space, and each
// label's score is its highest over them, as BERT-family models read
// windows of 512 tokens. A text's features grow with its length, so this is
// what keeps the memory of one reading bounded whatever the text; entries
// up to this size (about 1,400 words) are read whole.
const maxWindowBytes = 8 << 10

// maxBatchBytes bounds the padded text of one onnxruntime call (windows ×
// the longest of them), and Options.BatchSize its windows: a batch of short
// texts runs at once, long ones a few at a time.
const maxBatchBytes = 64 << 10

// windows cuts text into pieces of at most max bytes at white space,
// leaving out pieces of white space alone; a text with no words is one
// window, as it is.
func windows(text string, max int) []string {
	if len(text) <= max {
		return []string{text}
	}
	var out []string
	for rest := text; rest != ""; {
		w := textcls.Prefix(rest, max) // never empty: max is far above utf8.UTFMax
		rest = strings.TrimLeftFunc(rest[len(w):], unicode.IsSpace)
		if strings.TrimSpace(w) != "" {
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		return []string{textcls.Prefix(text, max)}
	}
	return out
}

// scores reads texts in windows (see maxWindowBytes), in batches of similar
// length bounded by maxBatchBytes and Options.BatchSize.
func (m *ngramModel) scores(texts []string) ([][]float32, error) {
	var wins []string
	var owner []int
	for i, t := range texts {
		for _, w := range windows(t, maxWindowBytes) {
			wins, owner = append(wins, w), append(owner, i)
		}
	}
	order := make([]int, len(wins))
	for i := range order {
		order[i] = i
	}
	if len(wins) > 1 {
		slices.SortStableFunc(order, func(a, b int) int { return len(wins[a]) - len(wins[b]) })
	}
	out := make([][]float32, len(texts))
	var batch []string
	for start := 0; start < len(order); {
		end := start + 1
		for end < len(order) && end-start < m.opts.BatchSize && (end-start+1)*len(wins[order[end]]) <= maxBatchBytes {
			end++
		}
		batch = batch[:0]
		for _, k := range order[start:end] {
			batch = append(batch, wins[k])
		}
		s, err := m.run1(batch)
		if err != nil {
			return nil, err
		}
		for j, k := range order[start:end] {
			o := owner[k]
			if out[o] == nil {
				out[o] = s[j]
				continue
			}
			for l, x := range s[j] {
				out[o][l] = max(out[o][l], x)
			}
		}
		start = end
	}
	return out, nil
}

// run1 runs the graph once over texts, each read whole.
func (m *ngramModel) run1(texts []string) ([][]float32, error) {
	if len(texts) == 0 {
		return nil, nil
	}
	_, in, err := m.inputs(texts)
	if err != nil {
		return nil, err
	}
	defer destroyAll(in)
	out, err := ort.NewEmptyTensor[float32](ort.NewShape(int64(len(texts)), int64(NumLabels)))
	if err != nil {
		return nil, fmt.Errorf("emotion: output tensor: %w", err)
	}
	defer out.Destroy()
	if err := m.run.Run(in, []ort.Value{out}); err != nil {
		return nil, fmt.Errorf("emotion: run model: %w", err)
	}
	return rows(out.GetData(), len(texts))
}

// rows splits flat scores into one row of NumLabels per text, refusing
// anything that is not a probability.
func rows(flat []float32, n int) ([][]float32, error) {
	out := make([][]float32, n)
	for i := range out {
		out[i] = make([]float32, NumLabels)
		copy(out[i], flat[i*NumLabels:(i+1)*NumLabels])
		for l, s := range out[i] {
			if math.IsNaN(float64(s)) || s < 0 || s > 1 {
				return nil, fmt.Errorf("emotion: model gave %s the score %v, not a probability", journal.EmotionLabels[l], s)
			}
		}
	}
	return out, nil
}

// explain splits each label's logit over the words of the text: a word
// gets its unigram and word-vector contributions and its share of the
// character n-grams it contains; an adjacent pair of words gets its
// bigram's contribution as a phrase.
func (m *ngramModel) explain(text string, labels []int) ([][]Reason, error) {
	if m.occlude {
		return m.occlusion(text, labels)
	}
	m.mu.Lock()
	if m.explainSess == nil {
		s, err := m.session(ngramScores, ngramContribs)
		if err != nil {
			m.mu.Unlock()
			return nil, fmt.Errorf("emotion: load explanation outputs: %w", err)
		}
		m.explainSess = s
	}
	sess := m.explainSess
	m.mu.Unlock()
	text = textcls.Prefix(text, maxWindowBytes) // a long text: its first window
	fs, in, err := m.inputs([]string{text})
	if err != nil {
		return nil, err
	}
	defer destroyAll(in)
	width := int64(in[0].GetShape()[1])
	sc, err := ort.NewEmptyTensor[float32](ort.NewShape(1, int64(NumLabels)))
	if err != nil {
		return nil, fmt.Errorf("emotion: output tensor: %w", err)
	}
	defer sc.Destroy()
	ct, err := ort.NewEmptyTensor[float32](ort.NewShape(1, width, int64(NumLabels)))
	if err != nil {
		return nil, fmt.Errorf("emotion: output tensor: %w", err)
	}
	defer ct.Destroy()
	if err := sess.Run(in, []ort.Value{sc, ct}); err != nil {
		return nil, fmt.Errorf("emotion: run model: %w", err)
	}
	contrib := ct.GetData()
	f := fs[0]
	out := make([][]Reason, len(labels))
	for li, l := range labels {
		word := make([]float32, len(f.Tokens))
		phrase := map[[2]int32]float32{}
		for j, x := range f.Features {
			c := contrib[j*NumLabels+l]
			name := m.vocab.Name(x.Row)
			switch {
			case name[0] == 'w' && len(x.Tokens) > 0 && strings.Contains(name, " "):
				for k := 0; k+1 < len(x.Tokens); k += 2 {
					phrase[[2]int32{x.Tokens[k], x.Tokens[k+1]}] += c / float32(len(x.Tokens)/2)
				}
			default:
				for _, t := range x.Tokens {
					word[t] += c / float32(len(x.Tokens))
				}
			}
		}
		var rs []Reason
		for i, w := range word {
			t := f.Tokens[i]
			rs = append(rs, Reason{Text: text[t.Start:t.End], Start: t.Start, End: t.End, Weight: w})
		}
		for k, w := range phrase {
			a, b := f.Tokens[k[0]], f.Tokens[k[1]]
			if !a.Word || !b.Word {
				continue // "much ," is no phrase: its parts speak for themselves
			}
			// a phrase stands for its two words together
			w += word[k[0]] + word[k[1]]
			rs = append(rs, Reason{Text: text[a.Start:b.End], Start: a.Start, End: b.End, Weight: w})
		}
		out[li] = dedupe(rs)
	}
	return out, nil
}

// dedupe keeps, of reasons that overlap, the one with the larger weight,
// so a phrase and the word inside it are not both listed.
func dedupe(rs []Reason) []Reason {
	sorted := slices.Clone(rs)
	slices.SortStableFunc(sorted, func(a, b Reason) int { return cmpDesc(a.Weight, b.Weight) })
	var keep []Reason
	for _, r := range sorted {
		overlap := false
		for _, k := range keep {
			if r.Start < k.End && k.Start < r.End {
				overlap = true
				break
			}
		}
		if !overlap {
			keep = append(keep, r)
		}
	}
	return keep
}

func (m *ngramModel) close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var err error
	if m.explainSess != nil {
		err = m.explainSess.Destroy()
		m.explainSess = nil
	}
	if m.run != nil {
		if e := m.run.Destroy(); e != nil && err == nil {
			err = e
		}
		m.run = nil
	}
	return err
}

// occlusion explains the ensemble by leaving each word out in turn: runs
// of consecutive words past textcls.MaxOcclusionParts of them, and in a
// text longer than one window (maxWindowBytes), the words of its first.
func (m *ngramModel) occlusion(text string, labels []int) ([][]Reason, error) {
	text = textcls.Prefix(text, maxWindowBytes)
	var words [][2]int
	for _, t := range ngram.Tokenize(text) {
		if t.Word {
			words = append(words, [2]int{t.Start, t.End})
		}
	}
	parts := textcls.Parts(words, textcls.MaxOcclusionParts)
	variants := []string{text}
	for _, p := range parts {
		variants = append(variants, text[:p[0]]+" "+text[p[1]:])
	}
	scores, err := m.scores(variants)
	if err != nil {
		return nil, err
	}
	out := make([][]Reason, len(labels))
	for li, l := range labels {
		for i, p := range parts {
			out[li] = append(out[li], Reason{Text: text[p[0]:p[1]], Start: p[0], End: p[1], Weight: scores[0][l] - scores[i+1][l]})
		}
	}
	return out, nil
}
