package textcls

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/samojournal/samo/inference/tokenizer"
)

// encoder turns text into token ids and knows the special tokens that wrap
// each window and pad a batch.
type encoder struct {
	ids           func(string) []int
	cls, sep, pad int64
}

// loadEncoder loads the tokenizer that cfg names.
func loadEncoder(cfg Config) (*encoder, error) {
	files := cfg.TokenizerFiles
	isJSON := len(files) == 1 && strings.EqualFold(filepath.Ext(files[0]), ".json")
	switch cfg.TokenizerKind {
	case "wordpiece":
		var (
			w   *tokenizer.WordPiece
			err error
		)
		switch {
		case len(files) != 1:
			return nil, fmt.Errorf("textcls: a wordpiece tokenizer needs one file, vocab.txt or tokenizer.json; %d given", len(files))
		case isJSON:
			w, err = tokenizer.LoadWordPieceJSON(files[0])
		default:
			opts := tokenizer.CasedOptions()
			if cfg.Lowercase {
				opts = tokenizer.UncasedOptions()
			}
			w, err = tokenizer.LoadWordPieceVocab(files[0], opts)
		}
		if err != nil {
			return nil, fmt.Errorf("textcls: %w", err)
		}
		// [PAD] is an added token wherever the vocabulary has it, so it
		// encodes as itself; BERT vocabularies put it at 0 otherwise.
		pad := 0
		if ids := w.IDs("[PAD]"); len(ids) == 1 && w.Token(ids[0]) == "[PAD]" {
			pad = ids[0]
		}
		return &encoder{ids: w.IDs, cls: int64(w.ClassifierID()), sep: int64(w.SeparatorID()), pad: int64(pad)}, nil

	case "bpe":
		var (
			b   *tokenizer.BPE
			err error
		)
		switch {
		case isJSON:
			b, err = tokenizer.LoadBPEJSON(files[0])
		case len(files) == 2:
			b, err = tokenizer.LoadBPEFiles(files[0], files[1], tokenizer.BPEOptions{})
		default:
			return nil, fmt.Errorf("textcls: a bpe tokenizer needs vocab.json and merges.txt, or tokenizer.json; %d files given", len(files))
		}
		if err != nil {
			return nil, fmt.Errorf("textcls: %w", err)
		}
		// RoBERTa wraps a sequence in <s> … </s> and pads with <pad>; a
		// GPT-2 vocabulary has only <|endoftext|>, which then does all three.
		find := func(names ...string) (int64, bool) {
			for _, n := range names {
				if id, ok := b.TokenID(n); ok {
					return int64(id), true
				}
			}
			return 0, false
		}
		cls, okCLS := find("<s>", "<|endoftext|>")
		sep, okSEP := find("</s>", "<|endoftext|>")
		if !okCLS || !okSEP {
			return nil, fmt.Errorf("textcls: bpe vocabulary %s has neither <s> and </s> nor <|endoftext|>", files[0])
		}
		pad, ok := find("<pad>")
		if !ok {
			pad = sep
		}
		return &encoder{ids: b.IDs, cls: cls, sep: sep, pad: pad}, nil

	default:
		return nil, fmt.Errorf("textcls: tokenizer kind %q is not supported; want \"wordpiece\" or \"bpe\"", cfg.TokenizerKind)
	}
}

// windows tokenizes text into windows of at most maxTokens ids, each the
// classifier token, a run of the text's tokens and the separator token,
// consecutive runs sharing stride tokens (0 <= stride < maxTokens-2). Empty
// text gives one window of just the two special tokens.
func (e *encoder) windows(text string, maxTokens, stride int) [][]int64 {
	ids := e.ids(text)
	room := maxTokens - 2
	step := room - stride
	var out [][]int64
	for start := 0; ; start += step {
		end := min(start+room, len(ids))
		w := make([]int64, 0, end-start+2)
		w = append(w, e.cls)
		for _, id := range ids[start:end] {
			w = append(w, int64(id))
		}
		out = append(out, append(w, e.sep))
		if end == len(ids) {
			return out
		}
	}
}
