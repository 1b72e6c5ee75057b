package whispertest

import (
	"fmt"
	"slices"

	"github.com/samojournal/samo/inference/onnxgen"
)

// The scripted model's view of audio: the 30 s window is cut into Regions
// regions of RegionFrames encoder frames (5 s) each; an encoder frame (20
// ms, one timestamp step) is speech when the mean of its two log-mel frames
// over all mel bins is above SpeechThreshold. Whisper's log-mel is
// normalized so that silence padding lies near -1 and a sound 8 orders of
// magnitude above the floor near +1.
const (
	Regions         = 6
	RegionFrames    = 1500 / Regions
	SpeechThreshold = -0.25
	// scoreSure is the logit of a scripted token: with every other of the
	// ~51,900 logits at 0 its probability is above 0.999.
	scoreSure = 20
	// scoreTrap is the logit of a token the runner's rules must refuse.
	scoreTrap = scoreSure + 5
	// scoreUnsure is the logit of the hallucination that silence gets, about
	// 0.13 probability.
	scoreUnsure = 9
	// scoreNoSpeech is <|nospeech|>'s logit at <|startoftranscript|> on
	// silence, and scoreLanguage the detected language's.
	scoreNoSpeech = 30
	scoreLanguage = 10
)

// regionWords are the GPT-2 tokens the scripted model says, one for each
// region that holds speech, in order.
var regionWords = [Regions]struct {
	text string
	id   int64
}{{" Today", 6288}, {" I", 314}, {" walked", 6807}, {" and", 290}, {" felt", 2936}, {" calm", 9480}}

// Other GPT-2 tokens of the script.
const (
	tokenPeriod = 13   // "."
	tokenYou    = 345  // " you", Whisper's hallucination on silence
	tokenLa     = 8591 // " la", the looping variant's word
	tokenSpace  = 220  // " ", in begin_suppress_tokens
	tokenQuote  = 1    // "\"", in suppress_tokens
)

// RegionWord returns the word the scripted model says for speech in region
// r (0 ≤ r < Regions), with its leading space.
func RegionWord(r int) string { return regionWords[r].text }

// ScriptConfig shapes a scripted Whisper model pair.
type ScriptConfig struct {
	// Multilingual selects whisper-tiny's token layout (language tokens,
	// <|endoftext|> at 50257) instead of whisper-tiny.en's.
	Multilingual bool
	// NMels is the number of mel bins; 0 means 80.
	NMels int
	// Layers is the number of decoder layers whose caches are fed back; 0
	// means 2.
	Layers int
	// Loop makes the decoder say " la" forever after the prompt: a
	// hallucination that the compression-ratio check must catch.
	Loop bool
	// Split writes decoder_model.onnx and decoder_with_past_model.onnx
	// (see SplitDecoder) instead of decoder_model_merged.onnx.
	Split bool
	// TokenizerJSON writes tokenizer.json instead of vocab.json, merges.txt
	// and added_tokens.json.
	TokenizerJSON bool
	// CrossAttention adds cross_attentions.N outputs [1, heads, seq, 1500]
	// (as the onnx-community _timestamped exports have) and alignment_heads
	// (AlignmentHeads) to generation_config.json. In the alignment heads the
	// position that predicts a region's word attends to that region's loud
	// frames (raised above an even floor); every other position, and every
	// other head, attends to all frames alike.
	CrossAttention bool
	// ExtraOutputs adds decoder_attentions.N outputs to the decoder and
	// encoder_attentions.0 to the encoder, and declares the decoder's
	// outputs in another order (the attentions first, the caches
	// reversed, logits last).
	ExtraOutputs bool
}

// AlignmentHeads are the scripted model's alignment heads: [layer, head].
var AlignmentHeads = [][2]int{{0, 1}, {1, 0}}

func (c ScriptConfig) withDefaults() ScriptConfig {
	if c.NMels == 0 {
		c.NMels = 80
	}
	if c.Layers == 0 {
		c.Layers = 2
	}
	return c
}

// Scripted dimensions: a tiny hidden size, split over two heads.
const (
	scriptDModel = 8
	scriptHeads  = 2
)

// ScriptedEncoder returns the scripted encoder: input_features [1, n_mels,
// 3000] → last_hidden_state [1, 1500, 8], whose channel 0 holds each encoder
// frame's loudness (the mean of the log-mel over bins and over its two mel
// frames) and the other channels constants.
func ScriptedEncoder(cfg ScriptConfig) onnxgen.Model {
	cfg = cfg.withDefaults()
	b := &builder{}
	b.g.Name = "scripted_whisper_encoder"
	b.g.Inputs = []onnxgen.Value{{Name: "input_features", Type: onnxgen.Float,
		Dims: []onnxgen.Dim{{Param: "batch_size"}, {Size: int64(cfg.NMels)}, {Size: 3000}}}}
	b.g.Outputs = []onnxgen.Value{{Name: "last_hidden_state", Type: onnxgen.Float,
		Dims: []onnxgen.Dim{{Param: "batch_size"}, {Size: 1500}, {Size: scriptDModel}}}}
	perMel := b.reduce("ReduceMean", "input_features", false, 1)    // [1, 3000]
	pairs := b.reshape(perMel, 1, 1500, 2)                          // [1, 1500, 2]
	loud := b.unsqueeze(b.reduce("ReduceMean", pairs, false, 2), 2) // [1, 1500, 1]
	chan0 := make([]float32, scriptDModel)
	chan0[0] = 1
	rest := make([]float32, scriptDModel)
	rest[1] = 1
	h := b.add(b.mul(loud, b.fs([]int64{scriptDModel}, chan0)), b.fs([]int64{scriptDModel}, rest))
	b.named("last_hidden_state", "Identity", []string{h})
	if cfg.ExtraOutputs {
		b.named("encoder_attentions.0", "Identity", []string{b.unsqueeze(h, 0)})
		b.g.Outputs = append([]onnxgen.Value{{Name: "encoder_attentions.0", Type: onnxgen.Float,
			Dims: []onnxgen.Dim{{Size: 1}, {Param: "batch_size"}, {Size: 1500}, {Size: scriptDModel}}}}, b.g.Outputs...)
	}
	return onnxgen.Model{Graph: b.g, Opset: 17}
}

// DecoderInputs and DecoderOutputs return the merged decoder's input and
// output names for a number of layers, in the order Hugging Face's ONNX
// exports declare them.
func DecoderInputs(layers int) []string {
	names := []string{"input_ids", "encoder_hidden_states"}
	for l := range layers {
		for _, kind := range []string{"decoder.key", "decoder.value", "encoder.key", "encoder.value"} {
			names = append(names, fmt.Sprintf("past_key_values.%d.%s", l, kind))
		}
	}
	return append(names, "use_cache_branch")
}

// DecoderOutputs: see DecoderInputs.
func DecoderOutputs(layers int) []string {
	names := []string{"logits"}
	for l := range layers {
		for _, kind := range []string{"decoder.key", "decoder.value", "encoder.key", "encoder.value"} {
			names = append(names, fmt.Sprintf("present.%d.%s", l, kind))
		}
	}
	return names
}

// decoderSignature declares a merged decoder's inputs and outputs.
func decoderSignature(g *onnxgen.Graph, layers, heads, headDim, dModel, vocab int) {
	batch := onnxgen.Dim{Param: "batch_size"}
	kv := func(seq string) []onnxgen.Dim {
		return []onnxgen.Dim{batch, {Size: int64(heads)}, {Param: seq}, {Size: int64(headDim)}}
	}
	g.Inputs = []onnxgen.Value{
		{Name: "input_ids", Type: onnxgen.Int64, Dims: []onnxgen.Dim{batch, {Param: "decoder_sequence_length"}}},
		{Name: "encoder_hidden_states", Type: onnxgen.Float, Dims: []onnxgen.Dim{batch, {Param: "encoder_sequence_length_out"}, {Size: int64(dModel)}}},
	}
	g.Outputs = []onnxgen.Value{{Name: "logits", Type: onnxgen.Float,
		Dims: []onnxgen.Dim{batch, {Param: "decoder_sequence_length"}, {Size: int64(vocab)}}}}
	for l := range layers {
		for _, kind := range []string{"decoder", "encoder"} {
			seq := "past_decoder_sequence_length"
			out := "past_decoder_sequence_length + 1"
			if kind == "encoder" {
				seq, out = "encoder_sequence_length_out", "encoder_sequence_length_out"
			}
			for _, kv2 := range []string{"key", "value"} {
				g.Inputs = append(g.Inputs, onnxgen.Value{Name: fmt.Sprintf("past_key_values.%d.%s.%s", l, kind, kv2), Type: onnxgen.Float, Dims: kv(seq)})
				g.Outputs = append(g.Outputs, onnxgen.Value{Name: fmt.Sprintf("present.%d.%s.%s", l, kind, kv2), Type: onnxgen.Float, Dims: kv(out)})
			}
		}
	}
	g.Inputs = append(g.Inputs, onnxgen.Value{Name: "use_cache_branch", Type: onnxgen.Bool, Dims: []onnxgen.Dim{{Size: 1}}})
}

// cacheSwitch adds what both kinds of generated decoder share: the merged
// decoder's use_cache_branch as slice bounds. With the flag set the past
// decoder cache is kept and no encoder cache is computed (the encoder
// states are sliced to no frames); without it the past decoder cache is
// ignored and the encoder cache is computed from all frames. The past
// encoder cache must then be empty (0 frames), as the runner passes it.
type cacheSwitch struct{ pastEnd, encEnd string }

func newCacheSwitch(b *builder) cacheSwitch {
	uc := b.cast("use_cache_branch", onnxgen.Int64)
	return cacheSwitch{
		pastEnd: b.mul(uc, b.i(1<<40)),
		encEnd:  b.mul(b.sub(b.i(1), uc), b.i(1500)),
	}
}

// ScriptedDecoder returns the scripted merged decoder (see the package
// documentation for what it says).
func ScriptedDecoder(cfg ScriptConfig) onnxgen.Model {
	cfg = cfg.withDefaults()
	sp := Layout(cfg.Multilingual)
	const d, heads, hd = scriptDModel, scriptHeads, scriptDModel / scriptHeads
	b := &builder{}
	b.g.Name = "scripted_whisper_decoder"
	decoderSignature(&b.g, cfg.Layers, heads, hd, d, sp.VocabSize)
	sw := newCacheSwitch(b)
	zero1, oneI := b.i(0), b.i(1)

	// The encoder cache: the encoder states as heads, [1, heads, frames, hd],
	// in layer 0's key; zeros in the others.
	hs := b.slice("encoder_hidden_states", zero1, sw.encEnd, 1)
	hsHeads := b.transpose(b.reshape(hs, 0, 0, heads, hd), 0, 2, 1, 3)
	hsZero := b.mul(hsHeads, b.f(0))

	// The decoder cache: per token, whether it is <|notimestamps|> (layer
	// 0's key) and whether it is a prompt token (layer 1's value, or layer
	// 0's value with one layer).
	ids := "input_ids"
	isNoTS := b.cast(b.op("Equal", []string{ids, b.i(int64(sp.NoTimestamps))}), onnxgen.Float)
	isPrompt := b.cast(b.op("And", []string{
		b.op("GreaterOrEqual", []string{ids, b.i(int64(sp.StartOfTranscript))}),
		b.op("Less", []string{ids, b.i(int64(sp.TimestampBegin))}),
	}), onnxgen.Float)
	onehot0 := make([]float32, d)
	onehot0[0] = 1
	asHeads := func(perToken string) string { // [1, seq] → [1, heads, seq, hd]
		v := b.mul(b.unsqueeze(perToken, 2), b.fs([]int64{d}, onehot0))
		return b.transpose(b.reshape(v, 0, 0, heads, hd), 0, 2, 1, 3)
	}
	noTSHeads, promptHeads := asHeads(isNoTS), asHeads(isPrompt)
	zeroHeads := b.mul(noTSHeads, b.f(0))

	var encKey0, pastDec, modeKey, promptValue string
	for l := range cfg.Layers {
		for _, kv := range []string{"key", "value"} {
			past := b.slice(fmt.Sprintf("past_key_values.%d.decoder.%s", l, kv), zero1, sw.pastEnd, 2)
			if pastDec == "" {
				pastDec = past
			}
			fresh := zeroHeads
			switch {
			case l == 0 && kv == "key":
				fresh = noTSHeads
			case l == cfg.Layers-1 && kv == "value":
				fresh = promptHeads
			}
			out := b.named(fmt.Sprintf("present.%d.decoder.%s", l, kv), "Concat", []string{past, fresh}, onnxgen.AttrInt("axis", 2))
			if l == 0 && kv == "key" {
				modeKey = out
			}
			if l == cfg.Layers-1 && kv == "value" {
				promptValue = out
			}
			enc := hsZero
			if l == 0 && kv == "key" {
				enc = hsHeads
			}
			present := b.named(fmt.Sprintf("present.%d.encoder.%s", l, kv), "Identity", []string{enc})
			if l == 0 && kv == "key" {
				encKey0 = b.concat(2, fmt.Sprintf("past_key_values.%d.encoder.key", l), present)
			}
		}
	}

	// What the audio holds: per region, speech or not, its first and last
	// speech frames, and its rank among the regions with speech.
	loud := b.reshape(b.op("Slice", []string{encKey0, b.i(0, 0), b.i(1, 1), b.i(1, 3)}), Regions, RegionFrames)
	frames := b.cast(b.op("Greater", []string{loud, b.f(SpeechThreshold)}), onnxgen.Float)
	speech := b.reduce("ReduceMax", frames, false, 1) // [Regions]
	first := b.op("ArgMax", []string{frames}, onnxgen.AttrInt("axis", 1), onnxgen.AttrInt("keepdims", 0))
	last := b.op("ArgMax", []string{frames}, onnxgen.AttrInt("axis", 1), onnxgen.AttrInt("keepdims", 0), onnxgen.AttrInt("select_last_index", 1))
	rank := b.op("CumSum", []string{speech, b.si(0)}, onnxgen.AttrInt("exclusive", 1))
	n := b.reshape(b.reduce("ReduceSum", speech, false, 0), 1)      // [1]
	has := b.op("Min", []string{n, b.fs([]int64{1}, []float32{1})}) // [1]
	base := make([]int64, Regions)
	for r := range base {
		base[r] = int64(r * RegionFrames)
	}
	notFirst := b.cast(b.op("Min", []string{rank, b.f(1)}), onnxgen.Int64)
	startTS := b.add(b.mul(b.add(b.i(base...), first), notFirst), b.i(int64(sp.TimestampBegin)))
	endTS := b.add(b.add(b.i(base...), last), b.i(int64(sp.TimestampBegin)+1))

	// The mode and the step: timestamps unless <|notimestamps|> was given;
	// the step is the index of the token the position predicts among the
	// generated ones (0 for the prompt's last position).
	noTS := b.reshape(b.reduce("ReduceMax", modeKey, false, 0, 1, 2, 3), 1) // [1]
	ts := b.sub(b.f(1), noTS)
	nPrompt := b.reshape(b.reduce("ReduceSum", promptValue, false, 0, 1, 2, 3), 1)
	pastLen := b.op("Squeeze", []string{b.dim(pastDec, 2), zero1})
	seqLen := b.op("Squeeze", []string{b.dim(ids, 1), zero1})
	pos := b.op("Range", []string{pastLen, b.add(pastLen, seqLen), b.si(1)})
	step := b.sub(b.add(b.cast(pos, onnxgen.Float), b.f(1)), nPrompt) // [seq]

	// The candidates: id, step, strength, and how the step is matched.
	vecF := func(v float32) string { return b.fs([]int64{1}, []float32{v}) }
	scaled := func(x string, k float32) string { return b.mul(x, b.f(k)) }
	stride := b.add(b.f(1), scaled(ts, 2))
	var wordIDs []int64
	for _, w := range regionWords {
		wordIDs = append(wordIDs, w.id)
	}
	idParts := []string{b.i(wordIDs...), startTS, endTS}
	wordStep := b.add(b.mul(rank, stride), ts)
	stepParts := []string{
		wordStep,
		scaled(rank, 3),
		b.add(scaled(rank, 3), b.f(2)),
	}
	sure := scaled(speech, scoreSure)
	strParts := []string{sure, b.mul(sure, ts), b.mul(sure, ts)}
	nC := 3 * Regions
	var sotMask, geMask []float32
	for range nC {
		sotMask, geMask = append(sotMask, 0), append(geMask, 0)
	}
	addCand := func(id, step, strength string, sot, ge bool) {
		idParts, stepParts, strParts = append(idParts, id), append(stepParts, step), append(strParts, strength)
		sotMask, geMask = append(sotMask, boolF(sot)), append(geMask, boolF(ge))
		nC++
	}
	silent := b.sub(vecF(1), has)
	eotStep := b.add(b.mul(has, b.add(b.mul(noTS, b.add(n, b.f(1))), b.mul(ts, scaled(n, 3)))), silent)
	addCand(b.i(tokenPeriod), n, b.mul(scaled(noTS, scoreSure), has), false, false)
	addCand(b.i(int64(sp.EndOfText)), eotStep, b.add(vecF(scoreUnsure), scaled(has, scoreSure-scoreUnsure)), false, false)
	addCand(b.i(tokenYou), vecF(0), scaled(silent, scoreUnsure), false, false)
	addCand(b.i(tokenSpace), vecF(0), vecF(scoreTrap), false, false)
	addCand(b.i(tokenQuote), vecF(1), vecF(scoreTrap), false, false)
	addCand(b.i(int64(sp.TimestampBegin)), vecF(3), scaled(ts, scoreTrap), false, false)
	addCand(b.i(int64(sp.TimestampBegin+1500)), vecF(4), scaled(ts, scoreTrap), false, false)
	addCand(b.i(int64(sp.NoSpeech)), vecF(-1000), scaled(silent, scoreNoSpeech), true, false)
	if cfg.Multilingual {
		region0 := b.op("Greater", []string{b.op("Slice", []string{speech, zero1, oneI, zero1}), b.f(0.5)})
		lang := b.op("Where", []string{region0, b.i(int64(sp.Language("en"))), b.i(int64(sp.Language("fr")))})
		addCand(lang, vecF(-1000), vecF(scoreLanguage), true, false)
	}
	if cfg.Loop {
		addCand(b.i(tokenLa), vecF(0), vecF(scoreSure+10), false, true)
	}
	candIDs := b.concat(0, idParts...)
	candSteps := b.concat(0, stepParts...)
	candStr := b.concat(0, strParts...)

	// Activation [seq, candidates]: the step matches (exactly, or from the
	// step on); at <|startoftranscript|> the start-of-transcript
	// candidates are active too.
	isSOT := b.reshape(b.cast(b.op("Equal", []string{ids, b.i(int64(sp.StartOfTranscript))}), onnxgen.Float), -1, 1)
	col := b.unsqueeze(step, 1)
	eq := b.cast(b.op("Equal", []string{col, candSteps}), onnxgen.Float)
	ge := b.cast(b.op("GreaterOrEqual", []string{col, candSteps}), onnxgen.Float)
	geM := b.fs([]int64{int64(nC)}, geMask)
	byStep := b.add(b.mul(eq, b.sub(b.f(1), geM)), b.mul(ge, geM))
	act := b.add(byStep, b.mul(isSOT, b.fs([]int64{int64(nC)}, sotMask)))
	scores := b.mul(act, candStr) // [seq, candidates]

	vocab := b.op("Range", []string{b.si(0), b.si(int64(sp.VocabSize)), b.si(1)})
	onehot := b.cast(b.op("Equal", []string{b.unsqueeze(candIDs, 1), vocab}), onnxgen.Float) // [candidates, vocab]
	logits := b.op("MatMul", []string{scores, onehot})
	b.named("logits", "Unsqueeze", []string{logits, zero1})
	if cfg.CrossAttention || cfg.ExtraOutputs {
		scriptedAttentions(b, cfg, step, wordStep, speech, frames)
	}
	return onnxgen.Model{Graph: b.g, Opset: 17}
}

// scriptedAttentions adds the cross_attentions.N outputs (and, with
// ExtraOutputs, decoder_attentions.N) and reorders the outputs.
func scriptedAttentions(b *builder, cfg ScriptConfig, step, wordStep, speech, frames string) {
	batch := onnxgen.Dim{Param: "batch_size"}
	seq := onnxgen.Dim{Param: "decoder_sequence_length"}
	// [seq, Regions]: the position predicts region r's word.
	match := b.mul(b.cast(b.op("Equal", []string{b.unsqueeze(step, 1), wordStep}), onnxgen.Float), speech)
	// [Regions, 1500]: region r's loud frames in its own columns.
	block := make([]float32, Regions*1500)
	for r := range Regions {
		for f := r * RegionFrames; f < (r+1)*RegionFrames; f++ {
			block[r*1500+f] = 1
		}
	}
	loud := b.mul(b.reshape(frames, 1, 1500), b.fs([]int64{Regions, 1500}, block))
	// [seq, 1500]: the loud frames raised above an even floor that every
	// other position and head has, so that a silent frame is alike for all.
	focus := b.add(b.mul(b.op("MatMul", []string{match, loud}), b.f(0.01)), b.f(1.0/1500))
	uniform := b.add(b.mul(focus, b.f(0)), b.f(1.0/1500))
	aligned := map[[2]int]bool{}
	for _, h := range AlignmentHeads {
		aligned[h] = true
	}
	var cross, self []onnxgen.Value
	for l := range cfg.Layers {
		var hs []string
		for h := range scriptHeads {
			v := uniform
			if aligned[[2]int{l, h}] {
				v = focus
			}
			hs = append(hs, b.unsqueeze(v, 0, 1))
		}
		name := fmt.Sprintf("cross_attentions.%d", l)
		if cfg.CrossAttention {
			b.named(name, "Concat", hs, onnxgen.AttrInt("axis", 1))
			cross = append(cross, onnxgen.Value{Name: name, Type: onnxgen.Float,
				Dims: []onnxgen.Dim{batch, {Size: scriptHeads}, seq, {Size: 1500}}})
		}
		if cfg.ExtraOutputs {
			name := fmt.Sprintf("decoder_attentions.%d", l)
			b.named(name, "Identity", []string{b.op("Concat", hs, onnxgen.AttrInt("axis", 1))})
			self = append(self, onnxgen.Value{Name: name, Type: onnxgen.Float,
				Dims: []onnxgen.Dim{batch, {Size: scriptHeads}, seq, {Size: 1500}}})
		}
	}
	if !cfg.ExtraOutputs {
		b.g.Outputs = append(b.g.Outputs, cross...)
		return
	}
	logits, caches := b.g.Outputs[0], slices.Clone(b.g.Outputs[1:])
	slices.Reverse(caches)
	outs := append(append(self, cross...), caches...)
	b.g.Outputs = append(outs, logits)
}

func boolF(v bool) float32 {
	if v {
		return 1
	}
	return 0
}
