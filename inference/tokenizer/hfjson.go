package tokenizer

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// hfFile is the part of a Hugging Face tokenizer.json that this package
// reads.
type hfFile struct {
	AddedTokens []struct {
		ID      *int   `json:"id"`
		Content string `json:"content"`
		Special bool   `json:"special"`
		LStrip  bool   `json:"lstrip"`
		RStrip  bool   `json:"rstrip"`
	} `json:"added_tokens"`
	Normalizer   json.RawMessage `json:"normalizer"`
	PreTokenizer json.RawMessage `json:"pre_tokenizer"`
	Model        struct {
		Type                    string          `json:"type"`
		Vocab                   json.RawMessage `json:"vocab"`
		Merges                  json.RawMessage `json:"merges"`
		UnkToken                *string         `json:"unk_token"`
		ContinuingSubwordPrefix *string         `json:"continuing_subword_prefix"`
		MaxInputCharsPerWord    int             `json:"max_input_chars_per_word"`
	} `json:"model"`
}

// hfNormalizer is a BertNormalizer, or a Sequence holding one.
type hfNormalizer struct {
	Type               string         `json:"type"`
	CleanText          *bool          `json:"clean_text"`
	HandleChineseChars *bool          `json:"handle_chinese_chars"`
	StripAccents       *bool          `json:"strip_accents"`
	Lowercase          *bool          `json:"lowercase"`
	Normalizers        []hfNormalizer `json:"normalizers"`
}

type hfPreTokenizer struct {
	Type           string           `json:"type"`
	AddPrefixSpace bool             `json:"add_prefix_space"`
	PreTokenizers  []hfPreTokenizer `json:"pretokenizers"`
}

func readHF(path, wantType string) (*hfFile, map[string]int, []AddedToken, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("tokenizer: reading tokenizer.json: %w", err)
	}
	var f hfFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, nil, nil, fmt.Errorf("tokenizer: %s: malformed tokenizer.json: %w", path, err)
	}
	if f.Model.Type != wantType {
		return nil, nil, nil, fmt.Errorf("tokenizer: %s: model type is %q, want %q", path, f.Model.Type, wantType)
	}
	var vocab map[string]int
	if err := json.Unmarshal(f.Model.Vocab, &vocab); err != nil || len(vocab) == 0 {
		if err == nil {
			err = fmt.Errorf("no entries")
		}
		return nil, nil, nil, fmt.Errorf("tokenizer: %s: malformed model.vocab: %w", path, err)
	}
	var added []AddedToken
	for i, a := range f.AddedTokens {
		if a.ID == nil || a.Content == "" {
			return nil, nil, nil, fmt.Errorf("tokenizer: %s: added_tokens[%d] needs an id and content", path, i)
		}
		added = append(added, AddedToken{Content: a.Content, ID: *a.ID, Special: a.Special, LStrip: a.LStrip, RStrip: a.RStrip})
	}
	return &f, vocab, added, nil
}

// LoadWordPieceJSON reads a Hugging Face tokenizer.json whose model is
// WordPiece. Its BertNormalizer settings (absent ones as BERT's defaults),
// continuing-subword prefix, unknown token and word length limit are
// honoured, and its added tokens are matched in the text at their own ids.
func LoadWordPieceJSON(path string) (*WordPiece, error) {
	f, vocab, added, err := readHF(path, "WordPiece")
	if err != nil {
		return nil, err
	}
	opts := UncasedOptions()
	if len(f.Normalizer) > 0 && string(f.Normalizer) != "null" {
		var n hfNormalizer
		if err := json.Unmarshal(f.Normalizer, &n); err != nil {
			return nil, fmt.Errorf("tokenizer: %s: malformed normalizer: %w", path, err)
		}
		if n.Type == "Sequence" {
			for _, inner := range n.Normalizers {
				if inner.Type == "BertNormalizer" {
					n = inner
					break
				}
			}
		}
		if n.Type != "BertNormalizer" {
			return nil, fmt.Errorf("tokenizer: %s: normalizer %q is not supported, only BertNormalizer", path, n.Type)
		}
		opts.CleanText = n.CleanText == nil || *n.CleanText
		opts.ChineseChars = n.HandleChineseChars == nil || *n.HandleChineseChars
		opts.Lowercase = n.Lowercase == nil || *n.Lowercase
		opts.StripAccents = opts.Lowercase
		if n.StripAccents != nil {
			opts.StripAccents = *n.StripAccents
		}
	} else {
		opts = WordPieceOptions{}
	}
	if f.Model.UnkToken != nil {
		opts.UnknownToken = *f.Model.UnkToken
	}
	if f.Model.ContinuingSubwordPrefix != nil {
		opts.ContinuingPrefix = *f.Model.ContinuingSubwordPrefix
	}
	opts.MaxInputCharsPerWord = f.Model.MaxInputCharsPerWord
	w, err := NewWordPiece(vocab, added, opts)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %s: %w", path, err)
	}
	return w, nil
}

// LoadBPEJSON reads a Hugging Face tokenizer.json whose model is BPE with
// byte-level pre-tokenization (GPT-2, RoBERTa, Whisper). Merges may be
// written "a b" or ["a", "b"]. Added tokens are matched in the text and keep
// their own ids, which for Whisper lie past the BPE vocabulary.
func LoadBPEJSON(path string) (*BPE, error) {
	f, vocab, added, err := readHF(path, "BPE")
	if err != nil {
		return nil, err
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(f.Model.Merges, &raw); err != nil {
		return nil, fmt.Errorf("tokenizer: %s: malformed model.merges: %w", path, err)
	}
	merges := make([][2]string, 0, len(raw))
	for i, m := range raw {
		var s string
		var pair []string
		switch {
		case json.Unmarshal(m, &s) == nil:
			a, b, ok := strings.Cut(s, " ")
			if !ok || a == "" || b == "" || strings.Contains(b, " ") {
				return nil, fmt.Errorf("tokenizer: %s: model.merges[%d]: want two tokens separated by one space, got %q", path, i, s)
			}
			merges = append(merges, [2]string{a, b})
		case json.Unmarshal(m, &pair) == nil && len(pair) == 2:
			merges = append(merges, [2]string{pair[0], pair[1]})
		default:
			return nil, fmt.Errorf("tokenizer: %s: model.merges[%d]: want \"a b\" or [\"a\", \"b\"], got %s", path, i, m)
		}
	}
	var opts BPEOptions
	if len(f.PreTokenizer) > 0 && string(f.PreTokenizer) != "null" {
		var p hfPreTokenizer
		if err := json.Unmarshal(f.PreTokenizer, &p); err != nil {
			return nil, fmt.Errorf("tokenizer: %s: malformed pre_tokenizer: %w", path, err)
		}
		if p.Type == "Sequence" {
			for _, inner := range p.PreTokenizers {
				if inner.Type == "ByteLevel" {
					p = inner
				}
			}
		}
		if p.Type != "ByteLevel" {
			return nil, fmt.Errorf("tokenizer: %s: pre_tokenizer %q is not supported, only ByteLevel", path, p.Type)
		}
		opts.AddPrefixSpace = p.AddPrefixSpace
	}
	t, err := NewBPE(vocab, merges, added, opts)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %s: %w", path, err)
	}
	return t, nil
}
