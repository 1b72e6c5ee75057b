package whispertest

// languages are Whisper's 99 language codes in token order: the language
// token of languages[i] is <|code|> with id LanguageBase + i.
var languages = [...]string{
	"en", "zh", "de", "es", "ru", "ko", "fr", "ja", "pt", "tr", "pl", "ca", "nl", "ar", "sv", "it", "id", "hi",
	"fi", "vi", "he", "uk", "el", "ms", "cs", "ro", "da", "hu", "ta", "no", "th", "ur", "hr", "bg", "lt", "la",
	"mi", "ml", "cy", "sk", "te", "fa", "lv", "bn", "sr", "az", "sl", "kn", "et", "mk", "br", "eu", "is", "hy",
	"ne", "mn", "bs", "kk", "sq", "sw", "gl", "mr", "pa", "si", "km", "sn", "yo", "so", "af", "oc", "ka", "be",
	"tg", "sd", "gu", "am", "yi", "lo", "uz", "fo", "ht", "ps", "tk", "nn", "mt", "sa", "lb", "my", "bo", "tl",
	"mg", "as", "tt", "haw", "ln", "ha", "ba", "jw", "su",
}

// Languages returns Whisper's language codes in token order.
func Languages() []string { return append([]string(nil), languages[:]...) }

// Specials is the id layout of Whisper's special tokens, which follow the
// byte-level BPE vocabulary: English-only models (tiny.en, base.en) keep
// GPT-2's 50,257 tokens with <|endoftext|> at 50256, multilingual ones have
// 50,257 ordinary tokens and <|endoftext|> at 50257. Then come
// <|startoftranscript|>, the 99 language tokens, the task tokens and the
// rest, and 1,501 timestamps <|0.00|> … <|30.00|> in steps of 20 ms.
type Specials struct {
	EndOfText, StartOfTranscript, LanguageBase, Translate, Transcribe int
	StartOfLM, StartOfPrev, NoSpeech, NoTimestamps, TimestampBegin    int
	// VocabSize is the number of logits: 51864 English-only, 51865
	// multilingual.
	VocabSize int
}

// Layout returns the special token ids of an English-only or a multilingual
// Whisper model (the ids of whisper-tiny.en and whisper-tiny).
func Layout(multilingual bool) Specials {
	eot := 50256
	if multilingual {
		eot = 50257
	}
	lang := eot + 2
	after := lang + len(languages)
	return Specials{
		EndOfText: eot, StartOfTranscript: eot + 1, LanguageBase: lang,
		Translate: after, Transcribe: after + 1, StartOfLM: after + 2, StartOfPrev: after + 3,
		NoSpeech: after + 4, NoTimestamps: after + 5, TimestampBegin: after + 6,
		VocabSize: after + 6 + 1501,
	}
}

// Language returns the id of a language's token, or -1 for an unknown code.
func (s Specials) Language(code string) int {
	for i, c := range languages {
		if c == code {
			return s.LanguageBase + i
		}
	}
	return -1
}

// Timestamp returns the id of the timestamp token for t seconds (rounded to
// 20 ms, at most 30 s).
func (s Specials) Timestamp(seconds float64) int {
	i := int(seconds/0.02 + 0.5)
	return s.TimestampBegin + min(max(i, 0), 1500)
}

// suppressEnglish and suppressMultilingual are the non-speech tokens of the
// real models' generation_config.json (symbols and punctuation runs that a
// transcript should not contain), before the special tokens that the
// layout adds.
var suppressCommon = []int{1, 2, 7, 8, 9, 10, 14, 25, 26, 27, 28, 29, 31, 58, 59, 60, 61, 62, 63, 90, 91, 92, 93}

var suppressEnglish = []int{357, 366, 438, 532, 685, 705, 796, 930, 1058, 1220, 1267, 1279, 1303, 1343, 1377,
	1391, 1635, 1782, 1875, 2162, 2361, 2488, 3467, 4008, 4211, 4600, 4808, 5299, 5855, 6329, 7203, 9609, 9959,
	10563, 10786, 11420, 11709, 11907, 13163, 13697, 13700, 14808, 15306, 16410, 16791, 17992, 19203, 19510,
	20724, 22305, 22935, 27007, 30109, 30420, 33409, 34949, 40283, 40493, 40549, 47282, 49146}

var suppressMultilingual = []int{359, 503, 522, 542, 873, 893, 902, 918, 922, 931, 1350, 1853, 1982, 2460, 2627,
	3246, 3253, 3268, 3536, 3846, 3961, 4183, 4667, 6585, 6647, 7273, 9061, 9383, 10428, 10929, 11938, 12033,
	12331, 12562, 13793, 14157, 14635, 15265, 15618, 16553, 16604, 18362, 18956, 20075, 21675, 22520, 26130,
	26161, 26435, 28279, 29464, 31650, 32302, 32470, 36865, 42863, 47425, 49870, 50254}

// SuppressTokens returns generation_config.json's suppress_tokens for the
// layout: the non-speech tokens, then <|startoftranscript|>, the task
// tokens, <|startoflm|>, <|startofprev|> and <|nospeech|>.
func (s Specials) SuppressTokens() []int {
	out := append([]int(nil), suppressCommon...)
	if s.EndOfText == 50256 {
		out = append(out, suppressEnglish...)
	} else {
		out = append(out, suppressMultilingual...)
	}
	return append(out, s.StartOfTranscript, s.Translate, s.Transcribe, s.StartOfLM, s.StartOfPrev, s.NoSpeech)
}
