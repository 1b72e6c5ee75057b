// Package journal is SAMO's domain core: journal entries, the rules a saved
// entry keeps, the Service that the CLI and the GUI both use, Memory
// Lane's queries over the entries (search by words and meaning, entries
// like this one, On This Day, the timeline; lane*.go, with the indexes in
// journal/search), and Insights over a stretch of them (levels over time,
// weekdays and hours, words that go with a feeling, and patterns with
// their evidence; insights*.go, with the tests in journal/patterns), and
// Dictation, speech turned into text while it is spoken (dictation.go).
//
// The package depends on small interfaces that it defines (Store and its
// capabilities, Analyzer, Explainer, Transcriber, AudioDecoder, Embedder,
// Models, ModelManager, Opener) and
// never on Fyne, PortAudio, onnxruntime or bbolt; cmd/samo's wiring file
// hands the real implementations in, and journaltest has in-memory ones.
package journal

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/oklog/ulid/v2"
)

// MaxTextBytes is the largest entry text SAMO accepts, in bytes of UTF-8.
// It is far above any entry a person writes or dictates (a 16 MiB text is
// several novels) while keeping one entry one bounded database value.
const MaxTextBytes = 16 << 20

// MaxTags is the most tags one entry may carry, and MaxTagBytes the longest tag.
const (
	MaxTags     = 64
	MaxTagBytes = 128
)

// Errors a caller can test for with errors.Is.
var (
	// ErrEmptyText is returned when an entry's text is empty or only white space.
	ErrEmptyText = errors.New("journal: entry text is empty")
	// ErrTextTooLong is returned when an entry's text exceeds MaxTextBytes.
	ErrTextTooLong = errors.New("journal: entry text is too long")
	// ErrNotFound is returned when no entry has the requested id.
	ErrNotFound = errors.New("journal: entry not found")
	// ErrInvalid is returned when an entry breaks one of the model's rules
	// (a non-finite score, a vector whose length is not its dimension…).
	ErrInvalid = errors.New("journal: invalid entry")
	// ErrUnknownEmotion is returned for a label that is not one of EmotionLabels.
	ErrUnknownEmotion = errors.New("journal: unknown emotion")
)

// Entry is one journal entry.
type Entry struct {
	// ID is unique and sorts in creation order (a ULID).
	ID string `json:"id"`
	// ImportedID is the id an imported entry had in its file when that was
	// not a SAMO id (the entry got a new one); at most MaxImportedIDBytes.
	ImportedID string `json:"imported_id,omitempty"`
	// Created is when the entry was written, in the writer's time zone.
	Created time.Time `json:"created"`
	// Updated is when the entry last changed; equal to Created until an edit.
	Updated time.Time `json:"updated"`
	// Zone is the IANA name of the writer's time zone when it is known
	// ("Europe/Paris"); Created and Updated carry its offset either way.
	Zone string `json:"zone,omitempty"`
	// Text is the entry's text, valid UTF-8. It is empty only for a
	// recording still waiting to be transcribed (see AwaitingTranscript) or
	// in which no speech was heard (see NoSpeechHeard).
	Text string `json:"text"`
	// Tags are the person's own labels for the entry.
	Tags []string `json:"tags,omitempty"`
	// Audio describes the recording the entry was dictated from, if any.
	Audio *Audio `json:"audio,omitempty"`
	// Transcript is the recognised speech, with timings, if any.
	Transcript *Transcript `json:"transcript,omitempty"`
	// Emotions is the emotion model's reading of the text, if analysed.
	Emotions *Emotions `json:"emotions,omitempty"`
	// Corrections are the person's own emotion labels for the entry. They are
	// kept apart from Emotions and a re-analysis never changes them.
	Corrections *Corrections `json:"corrections,omitempty"`
	// Embedding is the text's vector for "entries like this one", if computed.
	Embedding *Embedding `json:"embedding,omitempty"`
	// Revision counts the entry's saves: 1 once saved, one more with every
	// change. A write based on an older revision fails with ErrConflict.
	Revision int64 `json:"revision,omitempty"`
}

// Wordless reports whether the entry is a recording without text: one
// waiting for its transcript (AwaitingTranscript) or one in which no speech
// was heard (NoSpeechHeard). It is the only kind of entry without text.
func (e Entry) Wordless() bool { return e.Audio != nil && e.Text == "" }

// AwaitingTranscript reports whether the entry is a recording saved
// without text because no speech model could transcribe it yet.
func (e Entry) AwaitingTranscript() bool { return e.Wordless() && e.Transcript == nil }

// NoSpeechHeard reports whether the entry is a recording that was
// transcribed and held no speech.
func (e Entry) NoSpeechHeard() bool { return e.Wordless() && e.Transcript != nil }

// Audio describes an entry's recording. The samples themselves are stored
// apart from the entry (see Store.PutAudio).
type Audio struct {
	// Format is the container, e.g. "wav".
	Format string `json:"format"`
	// SampleRate in Hz and Channels of the stored audio.
	SampleRate int `json:"sample_rate"`
	Channels   int `json:"channels"`
	// Duration of the recording.
	Duration time.Duration `json:"duration_ns"`
	// Bytes is the size of the stored audio.
	Bytes int64 `json:"bytes"`
}

// Transcript is recognised speech.
type Transcript struct {
	// Language is the spoken language's code ("en"), detected or chosen.
	Language string `json:"language"`
	// Model names the speech model and its version.
	Model    string    `json:"model"`
	Segments []Segment `json:"segments"`
}

// Segment is a stretch of recognised speech.
type Segment struct {
	Start time.Duration `json:"start_ns"`
	End   time.Duration `json:"end_ns"`
	Text  string        `json:"text"`
	// Words are the segment's words with their times in the recording:
	// aligned from the model's cross-attention where it gives it, else
	// spread over the segment (each then marked Interpolated). Empty for
	// transcripts made before words were kept.
	Words []Word `json:"words,omitempty"`
	// Emotions is the segment's own reading (nil when it was not read).
	Emotions *SegmentEmotions `json:"emotions,omitempty"`
}

// Word is one spoken word and when it was said.
type Word struct {
	// Text is the word as the transcript has it, with its leading space.
	Text  string        `json:"text"`
	Start time.Duration `json:"start_ns"`
	End   time.Duration `json:"end_ns"`
	// Interpolated marks times spread over the segment by the word's
	// length, for a model without cross-attention outputs.
	Interpolated bool `json:"interpolated,omitempty"`
}

// SegmentEmotions is a segment's reading: the 28 scores in EmotionLabels
// order and the labels over their thresholds.
type SegmentEmotions struct {
	Scores []float32 `json:"scores"`
	Labels []string  `json:"labels,omitempty"`
}

// Emotions is an emotion model's reading of an entry.
type Emotions struct {
	// Scores holds one probability in [0,1] per label of EmotionLabels, in order.
	Scores []float32 `json:"scores"`
	// Labels are the labels the model predicted (over its thresholds).
	Labels []string `json:"labels"`
	// Model and Version name the model that produced the scores.
	Model   string    `json:"model"`
	Version string    `json:"version"`
	At      time.Time `json:"at"`
	// Base holds the model's own 28 scores when a personal layer, learned
	// from the person's corrections, made Scores and Labels (nil without
	// one); Personal names that layer.
	Base     []float32 `json:"base,omitempty"`
	Personal string    `json:"personal,omitempty"`
}

// Corrections are the person's own emotion labels for an entry.
type Corrections struct {
	Labels []string  `json:"labels"`
	At     time.Time `json:"at"`
}

// Embedding is a text embedding: a unit-length vector whose dot product
// with another's says how alike the two texts' meanings are, and the model
// that made it (vectors of different models do not compare).
type Embedding struct {
	Model   string    `json:"model"`
	Version string    `json:"version,omitempty"`
	Dim     int       `json:"dim"`
	Vector  []float32 `json:"vector"`
}

// EmotionLabels are the 28 GoEmotions labels in the dataset's order.
var EmotionLabels = [28]string{
	"admiration", "amusement", "anger", "annoyance", "approval", "caring", "confusion",
	"curiosity", "desire", "disappointment", "disapproval", "disgust", "embarrassment",
	"excitement", "fear", "gratitude", "grief", "joy", "love", "nervousness", "optimism",
	"pride", "realization", "relief", "remorse", "sadness", "surprise", "neutral",
}

// ekman maps each GoEmotions label to its Ekman group.
var ekman = map[string]string{
	"anger": "anger", "annoyance": "anger", "disapproval": "anger",
	"disgust": "disgust",
	"fear":    "fear", "nervousness": "fear",
	"joy": "joy", "amusement": "joy", "approval": "joy", "excitement": "joy", "gratitude": "joy",
	"love": "joy", "optimism": "joy", "relief": "joy", "pride": "joy", "admiration": "joy",
	"desire": "joy", "caring": "joy",
	"sadness": "sadness", "disappointment": "sadness", "embarrassment": "sadness", "grief": "sadness",
	"remorse":  "sadness",
	"surprise": "surprise", "realization": "surprise", "confusion": "surprise", "curiosity": "surprise",
	"neutral": "neutral",
}

// Strength says an emotion score in a word a person can trust more than a
// number: strong, clear, moderate or slight.
func Strength(score float32) string {
	switch {
	case score >= 0.75:
		return "strong"
	case score >= 0.5:
		return "clear"
	case score >= 0.25:
		return "moderate"
	}
	return "slight"
}

// EkmanGroup returns the Ekman group (anger, disgust, fear, joy, sadness,
// surprise or neutral) of a GoEmotions label, or "" for an unknown label.
func EkmanGroup(label string) string { return ekman[label] }

// Feelings are the entry's emotion labels as its writer would have them:
// their own corrections when they made some, else the model's reading, else
// none.
func (e Entry) Feelings() []string {
	if e.Corrected() {
		return e.Corrections.Labels
	}
	if e.Emotions != nil {
		return e.Emotions.Labels
	}
	return nil
}

// Corrected reports whether the entry's feelings are the person's own.
func (e Entry) Corrected() bool { return e.Corrections != nil && len(e.Corrections.Labels) > 0 }

// CorrectionLabels reads a correction as a person writes it on a command
// line: emotions as arguments or separated by commas, any case, or none
// with clear (which removes the correction). Mixing both, giving neither,
// or naming an unknown emotion is refused.
func CorrectionLabels(args []string, clear bool) ([]string, error) {
	var labels []string
	for _, a := range args {
		labels = append(labels, strings.Split(a, ",")...)
	}
	labels, err := CleanLabels(labels)
	switch {
	case err != nil:
		return nil, err
	case clear && len(labels) > 0:
		return nil, errors.New("give emotions or --clear, not both")
	case !clear && len(labels) == 0:
		return nil, errors.New("name the emotions you felt (for example: samo correct ID relief gratitude), or --clear")
	}
	return labels, nil
}

// CleanLabels checks emotion labels a person gave (in any case, with
// surrounding space, repeated, in any order) and returns them as the
// journal keeps them: lower case, each once, in EmotionLabels' order. An
// unknown label is an error wrapping ErrUnknownEmotion that names it.
func CleanLabels(labels []string) ([]string, error) {
	seen := map[string]bool{}
	for _, l := range labels {
		l = strings.ToLower(strings.TrimSpace(l))
		if l == "" {
			continue
		}
		if ekman[l] == "" {
			return nil, fmt.Errorf("%w %s (the emotions are %s)", ErrUnknownEmotion, Quote(l), strings.Join(EmotionLabels[:], ", "))
		}
		seen[l] = true
	}
	var out []string
	for _, l := range EmotionLabels {
		if seen[l] {
			out = append(out, l)
		}
	}
	return out, nil
}

// Title returns the first non-empty line of the entry's text, shortened to
// about max runes with an ellipsis, for lists and cards; a recording not
// yet transcribed is described instead.
func (e Entry) Title(max int) string {
	line := ""
	for l := range strings.SplitSeq(e.Text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			line = l
			break
		}
	}
	if line == "" && e.AwaitingTranscript() {
		line = fmt.Sprintf("Recording, %d s, waiting to be transcribed", int(e.Audio.Duration.Round(time.Second).Seconds()))
	}
	if line == "" && e.NoSpeechHeard() {
		line = fmt.Sprintf("Recording, %d s, no speech heard", int(e.Audio.Duration.Round(time.Second).Seconds()))
	}
	if max > 0 && utf8.RuneCountInString(line) > max {
		r := []rune(line)
		line = strings.TrimSpace(string(r[:max-1])) + "…"
	}
	return line
}

// The dates an entry may carry: ids hold milliseconds since 1970, and the
// timeline orders by nanoseconds, which end in April 2262.
var (
	earliest = time.Unix(0, 0)
	latest   = time.Unix(0, math.MaxInt64).Add(-time.Hour * 24)
)

// ErrBadTime is returned for an entry dated before 1970 or after 2262.
var ErrBadTime = errors.New("journal: date out of range")

// CheckTime refuses dates SAMO cannot store.
func CheckTime(t time.Time) error {
	if t.Before(earliest) || t.After(latest) {
		return fmt.Errorf("%w: %s is outside 1970–2262, the dates SAMO can store", ErrBadTime, t.Format("2006-01-02 15:04"))
	}
	return nil
}

// Validate checks the rules every stored entry keeps: an id, valid and
// non-empty text within MaxTextBytes, sane tags, finite scores in [0,1] for
// all 28 labels, known labels, and vectors as long as their dimension with
// finite values. The error names the field at fault.
func (e Entry) Validate() error {
	bad := func(field, format string, a ...any) error {
		return fmt.Errorf("%w %s: %s: %s", ErrInvalid, e.ID, field, fmt.Sprintf(format, a...))
	}
	if e.ID == "" {
		return fmt.Errorf("%w: empty id", ErrInvalid)
	}
	if err := CheckTime(e.Created); err != nil {
		return bad("created", "%v", err)
	}
	if err := CheckTime(e.Updated); err != nil {
		return bad("updated", "%v", err)
	}
	if e.Wordless() {
		// a recording not transcribed yet, or in which no speech was heard
	} else if _, repaired, err := CleanText(e.Text); err != nil {
		return fmt.Errorf("%w %s: text: %w", ErrInvalid, e.ID, err)
	} else if repaired {
		return bad("text", "not valid UTF-8")
	}
	if len(e.Tags) > MaxTags {
		return bad("tags", "%d tags, the limit is %d", len(e.Tags), MaxTags)
	}
	for i, t := range e.Tags {
		if strings.TrimSpace(t) == "" || len(t) > MaxTagBytes || !utf8.ValidString(t) {
			return bad(fmt.Sprintf("tags[%d]", i), "empty, invalid or longer than %d bytes", MaxTagBytes)
		}
	}
	if a := e.Audio; a != nil && (a.Duration < 0 || a.Bytes < 0 || a.SampleRate < 0 || a.Channels < 0) {
		return bad("audio", "negative duration, size, rate or channels")
	}
	if t := e.Transcript; t != nil {
		for i, s := range t.Segments {
			if s.Start < 0 || s.End < s.Start {
				return bad(fmt.Sprintf("transcript.segments[%d]", i), "times %v–%v out of order", s.Start, s.End)
			}
		}
	}
	if m := e.Emotions; m != nil {
		// The model's scores, and its own before a personal layer (if any).
		for _, sc := range []struct {
			field  string
			scores []float32
		}{{"emotions.scores", m.Scores}, {"emotions.base", m.Base}} {
			if sc.scores == nil && sc.field == "emotions.base" {
				continue
			}
			if len(sc.scores) != len(EmotionLabels) {
				return bad(sc.field, "%d scores, want %d", len(sc.scores), len(EmotionLabels))
			}
			for i, s := range sc.scores {
				if math.IsNaN(float64(s)) || math.IsInf(float64(s), 0) || s < 0 || s > 1 {
					return bad(sc.field+"["+EmotionLabels[i]+"]", "%v is not a probability", s)
				}
			}
		}
		if err := knownLabels(m.Labels); err != nil {
			return bad("emotions.labels", "%v", err)
		}
	}
	if c := e.Corrections; c != nil {
		if err := knownLabels(c.Labels); err != nil {
			return bad("corrections.labels", "%v", err)
		}
	}
	if v := e.Embedding; v != nil {
		if v.Dim != len(v.Vector) || v.Dim == 0 {
			return bad("embedding.vector", "%d values for dimension %d", len(v.Vector), v.Dim)
		}
		for i, x := range v.Vector {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return bad(fmt.Sprintf("embedding.vector[%d]", i), "%v is not finite", x)
			}
		}
	}
	return nil
}

func knownLabels(ls []string) error {
	for _, l := range ls {
		if ekman[l] == "" {
			return fmt.Errorf("unknown label %s", Quote(l))
		}
	}
	return nil
}

// CleanText checks and normalises an entry's text: invalid UTF-8 sequences
// are replaced with U+FFFD (repaired reports that this happened), an empty or
// white-space-only text is ErrEmptyText, and a text over MaxTextBytes is
// ErrTextTooLong. Leading and trailing white space is kept as written.
func CleanText(text string) (clean string, repaired bool, err error) {
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
		repaired = true
	}
	if strings.TrimSpace(text) == "" {
		return "", repaired, ErrEmptyText
	}
	if len(text) > MaxTextBytes {
		return "", repaired, fmt.Errorf("%w: %d bytes, the limit is %d", ErrTextTooLong, len(text), MaxTextBytes)
	}
	return text, repaired, nil
}

// ErrBadTag is wrapped by CleanTags' errors.
var ErrBadTag = errors.New("bad tag")

// CleanTags checks the tags a person gives a new entry: each is trimmed, and
// one that is empty, holds a control character (a newline, a tab, an escape),
// is not valid UTF-8 or is longer than MaxTagBytes is an error naming it, as
// are more than MaxTags tags. Repeated tags are kept once, in order.
func CleanTags(tags []string) ([]string, error) {
	var out []string
	for _, t := range tags {
		t = strings.TrimSpace(t)
		switch {
		case t == "":
			return nil, fmt.Errorf("%w: a tag is empty", ErrBadTag)
		case !utf8.ValidString(t):
			return nil, fmt.Errorf("%w %s: not valid UTF-8", ErrBadTag, Quote(t))
		case strings.IndexFunc(t, unicode.IsControl) >= 0:
			return nil, fmt.Errorf("%w %s: it holds a control character (a line break, tab or escape)", ErrBadTag, Quote(t))
		case len(t) > MaxTagBytes:
			return nil, fmt.Errorf("%w %s: %d bytes, the limit is %d", ErrBadTag, Quote(t), len(t), MaxTagBytes)
		case slices.Contains(out, t):
			continue
		}
		out = append(out, t)
	}
	if len(out) > MaxTags {
		return nil, fmt.Errorf("%w: %d tags, the limit is %d", ErrBadTag, len(out), MaxTags)
	}
	return out, nil
}

// MaxImportedIDBytes is the longest foreign id an imported entry keeps.
const MaxImportedIDBytes = 128

// ValidID reports whether id is a SAMO entry id: a ULID in its canonical
// form (26 characters of Crockford's base 32, upper case), which every
// command can show, edit, delete and name a file after.
func ValidID(id string) bool {
	u, err := ulid.ParseStrict(id)
	return err == nil && u.String() == id
}

// adoptID gives an entry whose id is not a SAMO id a new one, keeping the
// old one (cut to MaxImportedIDBytes, control characters dropped) as
// ImportedID. An empty id is left for the caller to fill.
func adoptID(e *Entry) {
	if e.ID == "" {
		return
	}
	if u := strings.ToUpper(e.ID); ValidID(u) { // a SAMO id, perhaps in lower case
		e.ID = u
		return
	}
	old := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(e.ID, "\uFFFD"))
	for len(old) > MaxImportedIDBytes {
		_, size := utf8.DecodeLastRuneInString(old)
		old = old[:len(old)-size]
	}
	e.ID, e.ImportedID = "", old
}

// SplitTags reads tags as a person types them, each value one tag or several
// separated by commas, for CleanTags to check: "" and "," are empty tags,
// and a line break stays in its tag (to be refused), nothing after it lost.
func SplitTags(values []string) []string {
	var tags []string
	for _, v := range values {
		tags = append(tags, strings.Split(v, ",")...)
	}
	return tags
}

// Quote quotes a value a person or a file gave, for an error message: at
// most 24 characters of it, control characters escaped, and "…" when it was
// longer, so that a bad value of megabytes (or one with terminal escapes)
// never floods the message.
func Quote(v string) string {
	const most = 24
	n, cut := 0, len(v)
	for i := range v {
		if n == most {
			cut = i
			break
		}
		n++
	}
	if cut < len(v) {
		return strconv.QuoteToGraphic(v[:cut]) + "…"
	}
	return strconv.QuoteToGraphic(v)
}

// Plural returns one when n is 1, else many: "1 entry", "2 entries".
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// DescribeFeelings says the entry's emotions in a line: the person's own,
// with what the model read beside them, or the model's reading, each label
// with a word for its strength.
func (e Entry) DescribeFeelings() string {
	model := "not read yet (samo reanalyze reads it)"
	if em := e.Emotions; em != nil && len(em.Scores) == len(EmotionLabels) {
		var parts []string
		for _, l := range em.Labels {
			s := em.Scores[slices.Index(EmotionLabels[:], l)]
			parts = append(parts, fmt.Sprintf("%s (%s)", l, Strength(s)))
		}
		model = strings.Join(parts, ", ")
	}
	if e.Corrected() {
		return fmt.Sprintf("Your emotions: %s · the model read: %s", strings.Join(e.Corrections.Labels, ", "), model)
	}
	return "Emotions: " + model
}
