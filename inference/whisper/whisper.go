// Package whisper transcribes speech with OpenAI's Whisper models exported
// to ONNX in the Hugging Face layout (an encoder and a merged decoder with
// past keys and values, or a decoder and a decoder-with-past; float32 or
// quantized), on onnxruntime, without Python.
//
// Audio is cut into 30 s windows (or along given speech segments) and
// turned into log-mel features by the mel sub-package; the encoder runs
// once per window and the decoder greedily, one token at a time, with its
// key/value cache. Decoding follows OpenAI's reference: the prompt
// <|startoftranscript|>, a language token (given, or detected from the
// first step's logits over the language tokens), the task and, without
// timestamps, <|notimestamps|>; suppress_tokens and begin_suppress_tokens
// from generation_config.json; Whisper's timestamp rules (a segment starts
// with a timestamp and ends with one, timestamps never decrease); a window
// whose <|nospeech|> probability is high and whose tokens are unsure is
// silence; a transcript that is too repetitive (its zlib compression ratio) or
// too unsure (average log-probability) is decoded again at a higher
// temperature, sampling with a seeded generator.
//
// A model folder is checked at Open: a missing or malformed file, a
// decoder whose inputs are not Whisper's, or configurations that disagree
// are refused with an error naming the file.
package whisper

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/samojournal/samo/inference"
)

// Audio and window constants of every Whisper model.
const (
	SampleRate    = 16000
	WindowSamples = 30 * SampleRate
	WindowFrames  = 3000 // mel frames in a window
	encoderFrames = 1500
	// TimestampStep is the time between two timestamp tokens.
	TimestampStep = 20 * time.Millisecond
	// WindowDuration is the length of one window.
	WindowDuration = 30 * time.Second
)

// Defaults for Options' zero values.
const (
	DefaultThreads                   = 2
	DefaultMaxTokens                 = 224
	DefaultNoSpeechThreshold         = 0.6
	DefaultLogProbThreshold          = -1.0
	DefaultCompressionRatioThreshold = 2.4
)

// DefaultTemperatures are the temperatures tried in turn while a window's
// transcript fails the checks: greedy first, then sampling.
var defaultTemperatures = []float32{0, 0.2, 0.4, 0.6, 0.8, 1.0}

// DefaultTemperatures returns the fallback temperatures used when
// Options.Temperatures is empty: 0, 0.2, …, 1.0.
func DefaultTemperatures() []float32 { return slices.Clone(defaultTemperatures) }

// ErrClosed is returned by a Model's methods after Close.
var ErrClosed = errors.New("whisper: model is closed")

// Options say how to run a model. The zero value transcribes with the
// float32 files, detecting the language, without timestamps.
type Options struct {
	// Language is a language code ("en", "fr", …); "" detects it, window
	// by window (English for an English-only model).
	Language string
	// Task is "transcribe" (the default) or "translate" (to English;
	// multilingual models only).
	Task string
	// Timestamps asks for segment timestamps; without it a window is one
	// segment.
	Timestamps bool
	// Variant picks the model files: "" for encoder_model.onnx and
	// decoder_model_merged.onnx, "quantized" for *_quantized.onnx, "int8"
	// for *_int8.onnx, and so on; VariantAuto for the int8 ones where the
	// folder has both.
	Variant string
	// Threads is onnxruntime's intra-op thread count; 0 means 2.
	Threads int
	// Provider is the onnxruntime execution provider asked for ("" is
	// auto); one that is not available falls back to the CPU with one
	// warning from the Runtime (Model.Provider says which ran).
	Provider inference.Provider
	// MaxTokens bounds the tokens generated per window; 0 means 224.
	MaxTokens int
	// Temperatures are tried in turn while a window fails the checks; empty
	// means DefaultTemperatures.
	Temperatures []float32
	// NoSpeechThreshold: a window whose <|nospeech|> probability is above it
	// and whose average log-probability is below LogProbThreshold is
	// silence. 0 means 0.6; negative disables the check.
	NoSpeechThreshold float64
	// LogProbThreshold: a transcript whose average log-probability is below
	// it is decoded again at the next temperature. 0 means -1; set
	// DisableLogProbCheck to turn the check off.
	LogProbThreshold    float64
	DisableLogProbCheck bool
	// CompressionRatioThreshold: a transcript whose zlib compression ratio
	// is above it is decoded again at the next temperature. 0 means 2.4;
	// negative disables the check.
	CompressionRatioThreshold float64
	// Seed seeds the sampling at temperatures above 0.
	Seed uint64
	// NoAlignment spreads word times over their segments (Interpolated)
	// even where the model's cross-attention could align them, saving the
	// alignment's cost.
	NoAlignment bool
}

func (o Options) withDefaults() (Options, error) {
	if o.Threads == 0 {
		o.Threads = DefaultThreads
	}
	if o.Threads < 0 {
		return o, fmt.Errorf("whisper: threads %d is negative", o.Threads)
	}
	if o.MaxTokens == 0 {
		o.MaxTokens = DefaultMaxTokens
	}
	if o.MaxTokens < 0 {
		return o, fmt.Errorf("whisper: max tokens %d is negative", o.MaxTokens)
	}
	if len(o.Temperatures) == 0 {
		o.Temperatures = DefaultTemperatures()
	}
	for _, t := range o.Temperatures {
		if t < 0 || t != t {
			return o, fmt.Errorf("whisper: temperature %v is not a number ≥ 0", t)
		}
	}
	if o.NoSpeechThreshold == 0 {
		o.NoSpeechThreshold = DefaultNoSpeechThreshold
	}
	if o.LogProbThreshold == 0 {
		o.LogProbThreshold = DefaultLogProbThreshold
	}
	if o.CompressionRatioThreshold == 0 {
		o.CompressionRatioThreshold = DefaultCompressionRatioThreshold
	}
	switch o.Task {
	case "":
		o.Task = "transcribe"
	case "transcribe", "translate":
	default:
		return o, fmt.Errorf("whisper: task %q is neither \"transcribe\" nor \"translate\"", o.Task)
	}
	if _, err := inference.ParseProvider(string(o.Provider)); err != nil {
		return o, fmt.Errorf("whisper: %w", err)
	}
	return o, nil
}

// Model is an open Whisper model. Its methods may be called from several
// goroutines; transcriptions run one at a time. Close it when done.
type Model struct {
	opts     Options
	dir      string
	provider string
	cfg      modelConfig
	voc      vocabulary
	heads    int
	headDim  int

	// heads are the cross-attention heads that word times are aligned
	// with: generation_config.json's alignment_heads, else every head of
	// the last half of the layers (as openai/whisper does).
	align [][2]int

	mu      sync.Mutex
	bufs    *buffers // reused from window to window; see buffers
	encoder *session
	merged  *session // decoder_model_merged, or nil
	first   *session // decoder_model, when not merged
	past    *session // decoder_with_past_model, when not merged
}

// session is one ONNX file with the inputs and outputs it was opened with.
type session struct {
	path    string
	inputs  []string
	outputs []string
	// inSlots and outSlots place each input and output in the caches,
	// read from their names once at open rather than at every token.
	inSlots, outSlots []cacheSlot
	// crossLayers gives, for each output, the decoder layer of a
	// cross_attentions.N output, or -1; cross says there is one.
	crossLayers []int
	cross       bool
	s           *ort.DynamicAdvancedSession
}

// crossLayer returns N of an output named cross_attentions.N, or -1.
func crossLayer(name string) int {
	rest, ok := strings.CutPrefix(name, "cross_attentions.")
	if !ok {
		return -1
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// cacheSlot is where a past_key_values.* input or present.* output sits in
// the caches: k is 2·layer, plus 1 for a value; enc marks the
// cross-attention cache. ok is false for any other name.
type cacheSlot struct {
	ok, present, enc bool
	k                int
}

func cacheSlotOf(name string) cacheSlot {
	g := pastName.FindStringSubmatch(name)
	if g == nil {
		return cacheSlot{}
	}
	l, _ := strconv.Atoi(g[2])
	k := 2 * l
	if g[4] == "value" {
		k++
	}
	return cacheSlot{ok: true, present: g[1] == "present", enc: g[3] == "encoder", k: k}
}

var pastName = regexp.MustCompile(`^(past_key_values|present)\.(\d+)\.(decoder|encoder)\.(key|value)$`)

// Open opens the model folder dir (config.json, generation_config.json,
// the tokenizer, and the ONNX files in dir or dir/onnx) in rt, which it
// initializes if needed.
func Open(rt *inference.Runtime, dir string, o Options) (*Model, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	cfg, voc, err := readConfigs(dir)
	if err != nil {
		return nil, err
	}
	if o.Language != "" {
		if voc.multilingual {
			if _, ok := voc.languages[o.Language]; !ok {
				return nil, fmt.Errorf("whisper: the model in %s does not know language %q", dir, o.Language)
			}
		} else if o.Language != "en" {
			return nil, fmt.Errorf("whisper: the model in %s is English-only; it cannot transcribe language %q", dir, o.Language)
		}
	}
	if o.Task == "translate" && (!voc.multilingual || voc.translate < 0) {
		return nil, fmt.Errorf("whisper: the model in %s cannot translate", dir)
	}
	encPath, mergedPath, firstPath, pastPath, err := modelFiles(dir, o.Variant)
	if err != nil {
		return nil, err
	}
	if err := rt.Init(); err != nil {
		return nil, fmt.Errorf("whisper: %w", err)
	}
	m := &Model{opts: o, dir: dir, cfg: cfg, voc: voc, heads: cfg.DecoderAttentionHeads, headDim: cfg.DModel / cfg.DecoderAttentionHeads}
	m.align = voc.alignHeads
	if len(m.align) == 0 {
		for l := cfg.DecoderLayers / 2; l < cfg.DecoderLayers; l++ {
			for h := range cfg.DecoderAttentionHeads {
				m.align = append(m.align, [2]int{l, h})
			}
		}
	}
	if o.NoAlignment {
		m.align = nil
	}
	ok := false
	defer func() {
		if !ok {
			m.Close()
		}
	}()
	if m.encoder, err = m.open(rt, encPath, checkEncoder); err != nil {
		return nil, err
	}
	if mergedPath != "" {
		if m.merged, err = m.open(rt, mergedPath, m.checkDecoder(true, true)); err != nil {
			return nil, err
		}
	} else {
		if m.first, err = m.open(rt, firstPath, m.checkDecoder(false, false)); err != nil {
			return nil, err
		}
		if m.past, err = m.open(rt, pastPath, m.checkDecoder(true, false)); err != nil {
			return nil, err
		}
	}
	ok = true
	return m, nil
}

// open inspects a file, checks its signature and creates its session.
func (m *Model) open(rt *inference.Runtime, path string, check func(inference.ModelInfo) error) (*session, error) {
	info, err := rt.Inspect(path)
	if err != nil {
		return nil, fmt.Errorf("whisper: %w", err)
	}
	if err := check(info); err != nil {
		return nil, err
	}
	s := &session{path: path}
	for _, in := range info.Inputs {
		s.inputs = append(s.inputs, in.Name)
		s.inSlots = append(s.inSlots, cacheSlotOf(in.Name))
	}
	// The outputs SAMO reads, by name: an export may add others
	// (attentions) in any order, which are then never computed.
	for _, out := range info.Outputs {
		slot := cacheSlotOf(out.Name)
		layer := crossLayer(out.Name)
		want := out.Name == "logits" || out.Name == "last_hidden_state" || (slot.ok && slot.present) ||
			(layer >= 0 && m.alignsLayer(layer))
		if !want {
			continue
		}
		s.outputs = append(s.outputs, out.Name)
		s.outSlots = append(s.outSlots, slot)
		s.crossLayers = append(s.crossLayers, layer)
		if layer >= 0 {
			s.cross = true
		}
	}
	prov, err := rt.CreateSession(m.opts.Provider, m.opts.Threads, func(so *ort.SessionOptions) error {
		var err error
		s.s, err = ort.NewDynamicAdvancedSession(path, s.inputs, s.outputs, so)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("whisper: load %s: %w", path, err)
	}
	m.provider = string(prov)
	return s, nil
}

const floatType = "ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT"

func findInfo(ts []inference.TensorInfo, name string) (inference.TensorInfo, bool) {
	i := slices.IndexFunc(ts, func(t inference.TensorInfo) bool { return t.Name == name })
	if i < 0 {
		return inference.TensorInfo{}, false
	}
	return ts[i], true
}

func checkEncoder(info inference.ModelInfo) error {
	in, ok := findInfo(info.Inputs, "input_features")
	if !ok || len(info.Inputs) != 1 {
		return fmt.Errorf("whisper: %s is not a Whisper encoder: want the one input input_features, it has %s", info.Path, names(info.Inputs))
	}
	if in.Type != floatType || len(in.Shape) != 3 {
		return fmt.Errorf("whisper: %s: input_features is %s %v, want float32 [batch, mels, 3000]", info.Path, in.Type, in.Shape)
	}
	out, ok := findInfo(info.Outputs, "last_hidden_state")
	if !ok || out.Type != floatType || len(out.Shape) != 3 {
		return fmt.Errorf("whisper: %s is not a Whisper encoder: want a float32 output last_hidden_state [batch, 1500, d_model], it has %s", info.Path, names(info.Outputs))
	}
	return nil
}

// checkDecoder checks a decoder's inputs and outputs: input_ids, maybe
// encoder_hidden_states, the past keys and values of every layer when
// withPast, use_cache_branch when merged; logits and present keys and
// values.
func (m *Model) checkDecoder(withPast, merged bool) func(inference.ModelInfo) error {
	return func(info inference.ModelInfo) error {
		layers := map[int]int{}
		hasIDs, hasStates, hasBranch := false, false, false
		for _, in := range info.Inputs {
			switch {
			case in.Name == "input_ids":
				hasIDs = true
			case in.Name == "encoder_hidden_states":
				hasStates = true
				if in.Type != floatType {
					return fmt.Errorf("whisper: %s: encoder_hidden_states is %s, want float32", info.Path, in.Type)
				}
			case in.Name == "use_cache_branch":
				hasBranch = true
			case pastName.MatchString(in.Name) && strings.HasPrefix(in.Name, "past_key_values."):
				g := pastName.FindStringSubmatch(in.Name)
				l, _ := strconv.Atoi(g[2])
				layers[l]++
				if in.Type != floatType || len(in.Shape) != 4 {
					return fmt.Errorf("whisper: %s: %s is %s %v, want float32 [batch, heads, length, head_dim]", info.Path, in.Name, in.Type, in.Shape)
				}
				if (in.Shape[1] > 0 && int(in.Shape[1]) != m.heads) || (in.Shape[3] > 0 && int(in.Shape[3]) != m.headDim) {
					return fmt.Errorf("whisper: %s: %s has shape %v, but config.json gives %d heads of %d", info.Path, in.Name, in.Shape, m.heads, m.headDim)
				}
			default:
				return fmt.Errorf("whisper: %s needs input %q, which a Whisper decoder does not take", info.Path, in.Name)
			}
		}
		if !hasIDs {
			return fmt.Errorf("whisper: %s is not a Whisper decoder: it has no input_ids input", info.Path)
		}
		if !withPast && !hasStates {
			return fmt.Errorf("whisper: %s is not a Whisper decoder: it has no encoder_hidden_states input", info.Path)
		}
		if merged && !hasBranch {
			return fmt.Errorf("whisper: %s is a merged decoder without a use_cache_branch input", info.Path)
		}
		if withPast {
			if len(layers) != m.cfg.DecoderLayers {
				return fmt.Errorf("whisper: %s has past keys and values for %d layers, config.json says %d", info.Path, len(layers), m.cfg.DecoderLayers)
			}
			for l := range m.cfg.DecoderLayers {
				if layers[l] != 4 {
					return fmt.Errorf("whisper: %s: layer %d has %d of the 4 past key and value inputs", info.Path, l, layers[l])
				}
			}
		}
		logits, ok := findInfo(info.Outputs, "logits")
		if !ok || logits.Type != floatType || len(logits.Shape) != 3 {
			return fmt.Errorf("whisper: %s: want a float32 output logits [batch, sequence, vocab], it has %s", info.Path, names(info.Outputs))
		}
		if v := logits.Shape[2]; v > 0 && int(v) != m.voc.timestampBegin+1501 {
			return fmt.Errorf("whisper: %s: logits over %d tokens, but generation_config.json puts the last timestamp at %d", info.Path, v, m.voc.timestampBegin+1500)
		}
		presents := 0
		for _, out := range info.Outputs {
			if g := pastName.FindStringSubmatch(out.Name); g != nil && g[1] == "present" {
				presents++
			}
		}
		want := 4 * m.cfg.DecoderLayers
		if withPast && !merged {
			want = 2 * m.cfg.DecoderLayers
		}
		if presents < want {
			return fmt.Errorf("whisper: %s has %d present key and value outputs, want %d", info.Path, presents, want)
		}
		return nil
	}
}

func names(ts []inference.TensorInfo) string {
	var out []string
	for _, t := range ts {
		out = append(out, strconv.Quote(t.Name))
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

// alignsLayer reports whether a decoder layer holds an alignment head.
func (m *Model) alignsLayer(layer int) bool {
	for _, h := range m.align {
		if h[0] == layer {
			return true
		}
	}
	return false
}

// AlignsWords reports whether word times come from the decoder's
// cross-attention (an export with cross_attentions outputs) rather than
// being spread over each segment.
func (m *Model) AlignsWords() bool {
	d := m.merged
	if d == nil {
		d = m.first
	}
	return d != nil && d.cross
}

// Multilingual reports whether the model knows languages other than English.
func (m *Model) Multilingual() bool { return m.voc.multilingual }

// Languages returns the language codes the model knows, sorted.
func (m *Model) Languages() []string {
	if !m.voc.multilingual {
		return []string{"en"}
	}
	var out []string
	for code := range m.voc.languages {
		out = append(out, code)
	}
	slices.Sort(out)
	return out
}

// NMels is the number of mel bins the encoder takes.
func (m *Model) NMels() int { return m.cfg.NumMelBins }

// Provider names the execution provider the sessions run on ("cpu",
// "cuda", …).
func (m *Model) Provider() string { return m.provider }

// Close releases the sessions. It is safe to call more than once.
func (m *Model) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var errs []error
	m.bufs.destroy()
	m.bufs = nil
	for _, s := range []**session{&m.encoder, &m.merged, &m.first, &m.past} {
		if *s != nil {
			if err := (*s).s.Destroy(); err != nil {
				errs = append(errs, fmt.Errorf("whisper: close %s: %w", (*s).path, err))
			}
			*s = nil
		}
	}
	return errors.Join(errs...)
}
