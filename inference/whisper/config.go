package whisper

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/samojournal/samo/inference/tokenizer"
)

// modelConfig is what SAMO reads of config.json.
type modelConfig struct {
	NumMelBins            int `json:"num_mel_bins"`
	DModel                int `json:"d_model"`
	DecoderAttentionHeads int `json:"decoder_attention_heads"`
	DecoderLayers         int `json:"decoder_layers"`
	VocabSize             int `json:"vocab_size"`
	MaxTargetPositions    int `json:"max_target_positions"`
}

// generationConfig is what SAMO reads of generation_config.json.
type generationConfig struct {
	DecoderStartTokenID      *int            `json:"decoder_start_token_id"`
	EOSTokenID               json.RawMessage `json:"eos_token_id"`
	SuppressTokens           []int           `json:"suppress_tokens"`
	BeginSuppressTokens      []int           `json:"begin_suppress_tokens"`
	NoTimestampsTokenID      *int            `json:"no_timestamps_token_id"`
	LangToID                 map[string]int  `json:"lang_to_id"`
	TaskToID                 map[string]int  `json:"task_to_id"`
	IsMultilingual           *bool           `json:"is_multilingual"`
	MaxInitialTimestampIndex *int            `json:"max_initial_timestamp_index"`
	MaxLength                int             `json:"max_length"`
	AlignmentHeads           [][]int         `json:"alignment_heads"`
}

type preprocessorConfig struct {
	FeatureSize  int `json:"feature_size"`
	SamplingRate int `json:"sampling_rate"`
}

// vocabulary is the decoding side of a model folder: special token ids and
// the tokenizer.
type vocabulary struct {
	sot, eot, noTimestamps, timestampBegin, noSpeech int
	translate, transcribe                            int
	languages                                        map[string]int // "en" → id
	multilingual                                     bool
	suppress, beginSuppress                          []int
	maxInitialTimestamp                              int
	maxLength                                        int
	alignHeads                                       [][2]int // [layer, head]
	tok                                              *tokenizer.BPE
}

func readJSON(path string, v any, required bool) (bool, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && !required {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("whisper: model folder: %w", err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, fmt.Errorf("whisper: %s is not valid JSON: %w", path, err)
	}
	return true, nil
}

// readConfigs reads and checks the three configuration files.
func readConfigs(dir string) (modelConfig, vocabulary, error) {
	var mc modelConfig
	var gc generationConfig
	var pc preprocessorConfig
	var voc vocabulary
	cfgPath := filepath.Join(dir, "config.json")
	if _, err := readJSON(cfgPath, &mc, true); err != nil {
		return mc, voc, err
	}
	if mc.NumMelBins <= 0 || mc.DModel <= 0 || mc.DecoderAttentionHeads <= 0 || mc.DecoderLayers <= 0 {
		return mc, voc, fmt.Errorf("whisper: %s lacks num_mel_bins, d_model, decoder_attention_heads or decoder_layers", cfgPath)
	}
	if mc.DModel%mc.DecoderAttentionHeads != 0 {
		return mc, voc, fmt.Errorf("whisper: %s: d_model %d is not a multiple of %d heads", cfgPath, mc.DModel, mc.DecoderAttentionHeads)
	}
	prePath := filepath.Join(dir, "preprocessor_config.json")
	if ok, err := readJSON(prePath, &pc, false); err != nil {
		return mc, voc, err
	} else if ok {
		if pc.FeatureSize != 0 && pc.FeatureSize != mc.NumMelBins {
			return mc, voc, fmt.Errorf("whisper: %s: feature_size %d, but config.json has num_mel_bins %d", prePath, pc.FeatureSize, mc.NumMelBins)
		}
		if pc.SamplingRate != 0 && pc.SamplingRate != SampleRate {
			return mc, voc, fmt.Errorf("whisper: %s: sampling_rate %d, want %d", prePath, pc.SamplingRate, SampleRate)
		}
	}
	genPath := filepath.Join(dir, "generation_config.json")
	if _, err := readJSON(genPath, &gc, true); err != nil {
		return mc, voc, err
	}
	if gc.DecoderStartTokenID == nil || gc.NoTimestampsTokenID == nil {
		return mc, voc, fmt.Errorf("whisper: %s lacks decoder_start_token_id or no_timestamps_token_id", genPath)
	}
	voc.sot = *gc.DecoderStartTokenID
	voc.noTimestamps = *gc.NoTimestampsTokenID
	voc.timestampBegin = voc.noTimestamps + 1
	voc.eot = voc.sot - 1
	if len(gc.EOSTokenID) > 0 {
		var one int
		var many []int
		switch {
		case json.Unmarshal(gc.EOSTokenID, &one) == nil:
			voc.eot = one
		case json.Unmarshal(gc.EOSTokenID, &many) == nil && len(many) > 0:
			voc.eot = many[0]
		default:
			return mc, voc, fmt.Errorf("whisper: %s: eos_token_id %s is not a token id", genPath, gc.EOSTokenID)
		}
	}
	voc.noSpeech = voc.noTimestamps - 1
	voc.translate, voc.transcribe = -1, -1
	if id, ok := gc.TaskToID["translate"]; ok {
		voc.translate = id
	}
	if id, ok := gc.TaskToID["transcribe"]; ok {
		voc.transcribe = id
	}
	voc.multilingual = len(gc.LangToID) > 0
	if gc.IsMultilingual != nil && *gc.IsMultilingual && !voc.multilingual {
		return mc, voc, fmt.Errorf("whisper: %s: is_multilingual is set but lang_to_id is missing", genPath)
	}
	if voc.multilingual && voc.transcribe < 0 {
		return mc, voc, fmt.Errorf("whisper: %s: a multilingual model needs task_to_id with \"transcribe\"", genPath)
	}
	voc.languages = map[string]int{}
	for tok, id := range gc.LangToID {
		code := strings.TrimSuffix(strings.TrimPrefix(tok, "<|"), "|>")
		voc.languages[code] = id
	}
	for _, h := range gc.AlignmentHeads {
		if len(h) != 2 || h[0] < 0 || h[0] >= mc.DecoderLayers || h[1] < 0 || h[1] >= mc.DecoderAttentionHeads {
			return mc, voc, fmt.Errorf("whisper: %s: alignment head %v is not a [layer, head] of %d layers of %d heads", genPath, h, mc.DecoderLayers, mc.DecoderAttentionHeads)
		}
		voc.alignHeads = append(voc.alignHeads, [2]int{h[0], h[1]})
	}
	voc.suppress = gc.SuppressTokens
	voc.beginSuppress = gc.BeginSuppressTokens
	voc.maxInitialTimestamp = 50
	if gc.MaxInitialTimestampIndex != nil {
		voc.maxInitialTimestamp = *gc.MaxInitialTimestampIndex
	}
	voc.maxLength = mc.MaxTargetPositions
	if voc.maxLength <= 0 {
		voc.maxLength = gc.MaxLength
	}
	if voc.maxLength <= 0 {
		voc.maxLength = 448
	}
	if mc.VocabSize != 0 && voc.timestampBegin+1501 != mc.VocabSize {
		return mc, voc, fmt.Errorf("whisper: %s: no_timestamps_token_id %d leaves room for %d timestamps in the vocabulary of %d, want 1501",
			genPath, voc.noTimestamps, mc.VocabSize-voc.timestampBegin, mc.VocabSize)
	}
	tok, added, err := loadTokenizer(dir)
	if err != nil {
		return mc, voc, err
	}
	voc.tok = tok
	for _, name := range []string{"<|nospeech|>", "<|nocaptions|>"} {
		if id, ok := added[name]; ok {
			voc.noSpeech = id
		}
	}
	return mc, voc, nil
}

// loadTokenizer reads tokenizer.json, or vocab.json and merges.txt with the
// special tokens of added_tokens.json. It returns the added tokens by name.
func loadTokenizer(dir string) (*tokenizer.BPE, map[string]int, error) {
	if path := filepath.Join(dir, "tokenizer.json"); fileExists(path) {
		tok, err := tokenizer.LoadBPEJSON(path)
		if err != nil {
			return nil, nil, fmt.Errorf("whisper: %w", err)
		}
		var f struct {
			AddedTokens []struct {
				ID      int    `json:"id"`
				Content string `json:"content"`
			} `json:"added_tokens"`
		}
		if _, err := readJSON(path, &f, true); err != nil {
			return nil, nil, err
		}
		added := map[string]int{}
		for _, a := range f.AddedTokens {
			added[a.Content] = a.ID
		}
		return tok, added, nil
	}
	vocabPath, mergesPath := filepath.Join(dir, "vocab.json"), filepath.Join(dir, "merges.txt")
	vocab, merges, err := tokenizer.ReadBPEFiles(vocabPath, mergesPath)
	if err != nil {
		return nil, nil, fmt.Errorf("whisper: %w (a model folder needs tokenizer.json, or vocab.json and merges.txt)", err)
	}
	added := map[string]int{}
	if _, err := readJSON(filepath.Join(dir, "added_tokens.json"), &added, false); err != nil {
		return nil, nil, err
	}
	if id, ok := vocab["<|endoftext|>"]; ok {
		added["<|endoftext|>"] = id
	}
	var specials []tokenizer.AddedToken
	for name, id := range added {
		specials = append(specials, tokenizer.AddedToken{Content: name, ID: id, Special: true})
	}
	tok, err := tokenizer.NewBPE(vocab, merges, specials, tokenizer.BPEOptions{})
	if err != nil {
		return nil, nil, fmt.Errorf("whisper: %s: %w", vocabPath, err)
	}
	return tok, added, nil
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}

// VariantAuto asks for the int8 model files where a folder has both.
const VariantAuto = "auto"

// modelFiles finds the encoder and decoder files of a variant ("" for
// float32, "quantized", "int8", "fp16", …) in dir or dir/onnx: the merged
// decoder, or the decoder and decoder-with-past pair. A folder that holds
// only the int8 files (as the model manager downloads a quantized export)
// is read with those when no variant is asked for.
//
// The variant "auto" takes the int8 files where the folder has them (a
// quantized export is about a quarter of the size and faster on a CPU),
// else the float32 ones.
func modelFiles(dir, variant string) (encoder, merged, first, withPast string, err error) {
	if variant == VariantAuto {
		for _, v := range []string{"quantized", "int8"} {
			if e, m, f, p, verr := variantFiles(dir, v); verr == nil {
				return e, m, f, p, nil
			}
		}
		variant = ""
	}
	encoder, merged, first, withPast, err = variantFiles(dir, variant)
	if err != nil && variant == "" {
		for _, v := range []string{"quantized", "int8"} {
			if e, m, f, p, verr := variantFiles(dir, v); verr == nil {
				return e, m, f, p, nil
			}
		}
	}
	return encoder, merged, first, withPast, err
}

func variantFiles(dir, variant string) (encoder, merged, first, withPast string, err error) {
	suffix := ""
	if variant != "" {
		suffix = "_" + variant
	}
	for _, d := range []string{dir, filepath.Join(dir, "onnx")} {
		enc := filepath.Join(d, "encoder_model"+suffix+".onnx")
		if !fileExists(enc) {
			continue
		}
		if m := filepath.Join(d, "decoder_model_merged"+suffix+".onnx"); fileExists(m) {
			return enc, m, "", "", nil
		}
		f, p := filepath.Join(d, "decoder_model"+suffix+".onnx"), filepath.Join(d, "decoder_with_past_model"+suffix+".onnx")
		if fileExists(f) && fileExists(p) {
			return enc, "", f, p, nil
		}
		return "", "", "", "", fmt.Errorf("whisper: %s has %s but no decoder_model_merged%s.onnx, nor decoder_model%s.onnx with decoder_with_past_model%s.onnx",
			d, filepath.Base(enc), suffix, suffix, suffix)
	}
	return "", "", "", "", fmt.Errorf("whisper: %s has no encoder_model%s.onnx (nor has its onnx folder)", dir, suffix)
}

// Precision says which files the model reads: "int8" for a quantized
// export's (*_quantized.onnx, *_int8.onnx), else "fp32".
func (m *Model) Precision() string {
	name := filepath.Base(m.encoder.path)
	if strings.Contains(name, "_quantized") || strings.Contains(name, "_int8") || strings.Contains(name, "_uint8") {
		return "int8"
	}
	return "fp32"
}
