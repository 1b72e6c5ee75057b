package whispertest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/samojournal/samo/inference/onnxgen"
	"github.com/samojournal/samo/inference/textcls"
)

// ModelConfig is what config.json, generation_config.json and
// preprocessor_config.json say about a model folder.
type ModelConfig struct {
	Multilingual bool
	NMels        int
	DModel       int
	Heads        int
	// EncoderLayers and DecoderLayers are the real model's; a scripted
	// decoder has its own number of cache layers.
	EncoderLayers, DecoderLayers int
	// AlignmentHeads, when not nil, go to generation_config.json.
	AlignmentHeads [][2]int
}

// WriteConfigs writes config.json, generation_config.json and
// preprocessor_config.json into dir, with the fields and values of the
// Hugging Face Whisper exports for the token layout.
func WriteConfigs(dir string, c ModelConfig) error {
	sp := Layout(c.Multilingual)
	suppress := sp.SuppressTokens()
	begin := []int{tokenSpace, sp.EndOfText}
	config := map[string]any{
		"model_type":              "whisper",
		"architectures":           []string{"WhisperForConditionalGeneration"},
		"d_model":                 c.DModel,
		"encoder_attention_heads": c.Heads,
		"decoder_attention_heads": c.Heads,
		"encoder_layers":          c.EncoderLayers,
		"decoder_layers":          c.DecoderLayers,
		"encoder_ffn_dim":         4 * c.DModel,
		"decoder_ffn_dim":         4 * c.DModel,
		"num_hidden_layers":       c.EncoderLayers,
		"num_mel_bins":            c.NMels,
		"vocab_size":              sp.VocabSize,
		"max_source_positions":    1500,
		"max_target_positions":    448,
		"decoder_start_token_id":  sp.StartOfTranscript,
		"bos_token_id":            sp.EndOfText,
		"eos_token_id":            sp.EndOfText,
		"pad_token_id":            sp.EndOfText,
		"begin_suppress_tokens":   begin,
		"suppress_tokens":         suppress,
		"use_cache":               true,
	}
	gen := map[string]any{
		"begin_suppress_tokens":       begin,
		"bos_token_id":                sp.EndOfText,
		"decoder_start_token_id":      sp.StartOfTranscript,
		"eos_token_id":                sp.EndOfText,
		"pad_token_id":                sp.EndOfText,
		"is_multilingual":             c.Multilingual,
		"max_initial_timestamp_index": 50,
		"max_length":                  448,
		"no_timestamps_token_id":      sp.NoTimestamps,
		"prev_sot_token_id":           sp.StartOfPrev,
		"return_timestamps":           false,
		"suppress_tokens":             suppress,
	}
	if c.AlignmentHeads != nil {
		gen["alignment_heads"] = c.AlignmentHeads
	}
	if c.Multilingual {
		langs := map[string]int{}
		for _, code := range languages {
			langs["<|"+code+"|>"] = sp.Language(code)
		}
		gen["lang_to_id"] = langs
		gen["task_to_id"] = map[string]int{"transcribe": sp.Transcribe, "translate": sp.Translate}
		gen["forced_decoder_ids"] = [][]any{{1, nil}, {2, sp.Transcribe}}
	} else {
		gen["forced_decoder_ids"] = [][]any{{1, sp.NoTimestamps}}
	}
	pre := map[string]any{
		"chunk_length":           30,
		"feature_extractor_type": "WhisperFeatureExtractor",
		"feature_size":           c.NMels,
		"hop_length":             160,
		"n_fft":                  400,
		"n_samples":              480000,
		"nb_max_frames":          3000,
		"padding_side":           "right",
		"padding_value":          0.0,
		"processor_class":        "WhisperProcessor",
		"return_attention_mask":  false,
		"sampling_rate":          16000,
	}
	for name, v := range map[string]any{"config.json": config, "generation_config.json": gen, "preprocessor_config.json": pre} {
		if err := writeJSON(filepath.Join(dir, name), v); err != nil {
			return err
		}
	}
	return nil
}

// WriteTokenizer writes vocab.json, merges.txt and added_tokens.json into
// dir. With gpt2Dir "" the vocabulary is the smallest one that decodes the
// scripted model's words: GPT-2's 256 byte tokens and the script's words,
// at their GPT-2 ids, with no merges. Otherwise gpt2Dir holds GPT-2's
// vocab.json and merges.txt (as inference/tokenizer/testdata/fetch.sh puts
// them in .cache/tokenizers/gpt2), which are copied. The special tokens
// (all but the timestamps, as in the older Hugging Face tokenizer files)
// go to added_tokens.json.
func WriteTokenizer(dir, gpt2Dir string, multilingual bool) error {
	vocab, merges, added, err := tokenizerParts(gpt2Dir, multilingual)
	if err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(dir, "vocab.json"), vocab); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(dir, "added_tokens.json"), added); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "merges.txt"), merges, 0o644); err != nil {
		return fmt.Errorf("whispertest: %w", err)
	}
	return nil
}

// WriteTokenizerJSON writes the same tokenizer as WriteTokenizer as one
// Hugging Face tokenizer.json (byte-level BPE, the special tokens as
// added tokens).
func WriteTokenizerJSON(dir, gpt2Dir string, multilingual bool) error {
	vocab, merges, added, err := tokenizerParts(gpt2Dir, multilingual)
	if err != nil {
		return err
	}
	if !multilingual {
		added["<|endoftext|>"] = Layout(false).EndOfText
	}
	type addedToken struct {
		ID      int    `json:"id"`
		Content string `json:"content"`
		Special bool   `json:"special"`
	}
	var tokens []addedToken
	for content, id := range added {
		tokens = append(tokens, addedToken{ID: id, Content: content, Special: true})
	}
	slices.SortFunc(tokens, func(a, b addedToken) int { return a.ID - b.ID })
	var mergeList []string
	for i, line := range strings.Split(string(merges), "\n") {
		if line != "" && !(i == 0 && strings.HasPrefix(line, "#version")) {
			mergeList = append(mergeList, line)
		}
	}
	if mergeList == nil {
		mergeList = []string{}
	}
	byteLevel := map[string]any{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true}
	return writeJSON(filepath.Join(dir, "tokenizer.json"), map[string]any{
		"version":       "1.0",
		"added_tokens":  tokens,
		"normalizer":    nil,
		"pre_tokenizer": byteLevel,
		"decoder":       byteLevel,
		"model":         map[string]any{"type": "BPE", "vocab": vocab, "merges": mergeList},
	})
}

// tokenizerParts returns the vocabulary, the merges file's text and the
// special tokens of WriteTokenizer.
func tokenizerParts(gpt2Dir string, multilingual bool) (map[string]int, []byte, map[string]int, error) {
	sp := Layout(multilingual)
	vocab := map[string]int{}
	merges := []byte("#version: 0.2\n")
	if gpt2Dir == "" {
		for i, r := range gpt2ByteOrder() {
			vocab[string(r)] = i
		}
		for _, w := range regionWords {
			vocab[gpt2Spelling(w.text)] = int(w.id)
		}
		for text, id := range map[string]int{".": tokenPeriod, " you": tokenYou, " la": tokenLa, "\"": tokenQuote} {
			vocab[gpt2Spelling(text)] = id
		}
	} else {
		path := filepath.Join(gpt2Dir, "vocab.json")
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("whispertest: %w", err)
		}
		if err := json.Unmarshal(raw, &vocab); err != nil {
			return nil, nil, nil, fmt.Errorf("whispertest: %s: %w", path, err)
		}
		if merges, err = os.ReadFile(filepath.Join(gpt2Dir, "merges.txt")); err != nil {
			return nil, nil, nil, fmt.Errorf("whispertest: %w", err)
		}
		for _, w := range regionWords {
			if vocab[gpt2Spelling(w.text)] != int(w.id) {
				return nil, nil, nil, fmt.Errorf("whispertest: %s is not GPT-2's vocabulary: %q is not %d", path, w.text, w.id)
			}
		}
	}
	delete(vocab, "<|endoftext|>")
	if !multilingual {
		vocab["<|endoftext|>"] = sp.EndOfText
	}
	added := map[string]int{}
	if multilingual {
		added["<|endoftext|>"] = sp.EndOfText
	}
	added["<|startoftranscript|>"] = sp.StartOfTranscript
	for _, code := range languages {
		added["<|"+code+"|>"] = sp.Language(code)
	}
	added["<|translate|>"] = sp.Translate
	added["<|transcribe|>"] = sp.Transcribe
	added["<|startoflm|>"] = sp.StartOfLM
	added["<|startofprev|>"] = sp.StartOfPrev
	added["<|nocaptions|>"] = sp.NoSpeech
	added["<|notimestamps|>"] = sp.NoTimestamps
	return vocab, merges, added, nil
}

// gpt2ByteOrder returns the characters of GPT-2's first 256 tokens in id
// order: the printable Latin-1 bytes as themselves, then the other bytes,
// in byte order, as U+0100 onwards.
func gpt2ByteOrder() []rune {
	var printable, other []rune
	next := rune(256)
	for c := range 256 {
		if (c >= '!' && c <= '~') || (c >= 0xa1 && c <= 0xac) || (c >= 0xae && c <= 0xff) {
			printable = append(printable, rune(c))
		} else {
			other = append(other, next)
			next++
		}
	}
	return append(printable, other...)
}

// gpt2Spelling maps text's bytes to GPT-2's byte characters.
func gpt2Spelling(text string) string {
	table := make(map[byte]rune, 256)
	next := rune(256)
	for c := range 256 {
		if (c >= '!' && c <= '~') || (c >= 0xa1 && c <= 0xac) || (c >= 0xae && c <= 0xff) {
			table[byte(c)] = rune(c)
		} else {
			table[byte(c)] = next
			next++
		}
	}
	var out []rune
	for i := range len(text) {
		out = append(out, table[text[i]])
	}
	return string(out)
}

func writeJSON(path string, v any) error {
	raw, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("whispertest: %w", err)
	}
	if err := os.WriteFile(path, append(raw, '\n'), 0o644); err != nil {
		return fmt.Errorf("whispertest: %w", err)
	}
	return nil
}

// WriteModel writes an ONNX model, streaming large initializers.
func WriteModel(path string, m onnxgen.Model) error {
	if err := textcls.WriteModel(path, m); err != nil {
		return fmt.Errorf("whispertest: %w", err)
	}
	return nil
}

// WriteScripted writes a complete scripted model folder in the Hugging Face
// ONNX layout: onnx/encoder_model.onnx, onnx/decoder_model_merged.onnx, the
// three configuration files and the tokenizer (see WriteTokenizer for
// gpt2Dir). It returns the folder.
func WriteScripted(dir string, cfg ScriptConfig, gpt2Dir string) error {
	cfg = cfg.withDefaults()
	if err := os.MkdirAll(filepath.Join(dir, "onnx"), 0o755); err != nil {
		return fmt.Errorf("whispertest: %w", err)
	}
	if err := WriteModel(filepath.Join(dir, "onnx", "encoder_model.onnx"), ScriptedEncoder(cfg)); err != nil {
		return err
	}
	if cfg.Split {
		first, withPast := SplitDecoder(ScriptedDecoder(cfg), scriptHeads, scriptDModel/scriptHeads, scriptDModel)
		if err := WriteModel(filepath.Join(dir, "onnx", "decoder_model.onnx"), first); err != nil {
			return err
		}
		if err := WriteModel(filepath.Join(dir, "onnx", "decoder_with_past_model.onnx"), withPast); err != nil {
			return err
		}
	} else if err := WriteModel(filepath.Join(dir, "onnx", "decoder_model_merged.onnx"), ScriptedDecoder(cfg)); err != nil {
		return err
	}
	mc := ModelConfig{Multilingual: cfg.Multilingual, NMels: cfg.NMels, DModel: scriptDModel,
		Heads: scriptHeads, EncoderLayers: 1, DecoderLayers: cfg.Layers}
	if cfg.CrossAttention {
		mc.AlignmentHeads = AlignmentHeads
	}
	if err := WriteConfigs(dir, mc); err != nil {
		return err
	}
	if cfg.TokenizerJSON {
		return WriteTokenizerJSON(dir, gpt2Dir, cfg.Multilingual)
	}
	return WriteTokenizer(dir, gpt2Dir, cfg.Multilingual)
}
