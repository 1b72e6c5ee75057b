package journaltest

import (
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/samojournal/samo/journal"
)

// PCMDecoder is an in-memory journal.AudioDecoder: it reads a recording as
// 16-bit little-endian mono samples at 16 kHz (no header), and refuses an
// odd number of bytes.
type PCMDecoder struct{}

// DecodeAudio implements journal.AudioDecoder.
func (PCMDecoder) DecodeAudio(data []byte) (journal.Audio, []float32, error) {
	if len(data)%2 != 0 || len(data) == 0 {
		return journal.Audio{}, nil, errors.New("journaltest: not 16-bit PCM")
	}
	out := make([]float32, len(data)/2)
	for i := range out {
		out[i] = float32(int16(binary.LittleEndian.Uint16(data[2*i:]))) / 32768
	}
	d := time.Duration(len(out)) * time.Second / 16000
	return journal.Audio{Format: "pcm", SampleRate: 16000, Channels: 1, Duration: d}, out, nil
}

// PCM returns n samples of a tone as PCMDecoder reads them.
func PCM(n int) []byte {
	b := make([]byte, 2*n)
	for i := range n {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(int16((i%32-16)*1000)))
	}
	return b
}

// Transcriber is an in-memory journal.Transcriber that hears Text in any
// audio that is not silent, as one segment the length of the audio. With
// Text empty it hears nothing; with Fail set it fails; with Hold set it
// waits until it receives from Hold (or Hold is closed) first.
type Transcriber struct {
	Text  string
	Fail  error
	Hold  chan struct{}
	calls counter
}

// Calls is how many recordings were transcribed.
func (t *Transcriber) Calls() int { return t.calls.get() }

// Transcribe implements journal.Transcriber.
func (t *Transcriber) Transcribe(ctx context.Context, samples []float32, progress func(done, total int)) (*journal.Transcript, error) {
	t.calls.add()
	if err := hold(ctx, t.Hold); err != nil {
		return nil, err
	}
	if t.Fail != nil {
		return nil, t.Fail
	}
	ms := len(samples) / 16
	if progress != nil {
		progress(ms, ms)
	}
	tr := &journal.Transcript{Language: "en", Model: "journaltest"}
	loud := false
	for _, s := range samples {
		loud = loud || s != 0
	}
	if loud && strings.TrimSpace(t.Text) != "" {
		tr.Segments = []journal.Segment{{Start: 0, End: time.Duration(ms) * time.Millisecond, Text: t.Text}}
	}
	return tr, nil
}

// MemOpener is an in-memory journal.Opener over one MemStore: Create makes
// it exist, a passphrase given to Create must be given to Open.
type MemOpener struct {
	Store *MemStore
	// Options are given to every Service it opens.
	Options []journal.Option
	mu      sync.Mutex
	created bool
}

// NewMemOpener returns an opener of a journal that does not exist yet.
func NewMemOpener(opts ...journal.Option) *MemOpener {
	return &MemOpener{Store: NewMemStore(), Options: opts}
}

// ErrWrongPassphrase is what MemOpener's Open returns for a missing or wrong passphrase.
var ErrWrongPassphrase = errors.New("journaltest: wrong passphrase")

// Path implements journal.Opener.
func (o *MemOpener) Path() string { return "memory" }

// Exists implements journal.Opener.
func (o *MemOpener) Exists() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.created
}

// Open implements journal.Opener.
func (o *MemOpener) Open(pass []byte) (*journal.Service, error) {
	if want := o.Store.Passphrase(); want != nil && string(want) != string(pass) {
		return nil, ErrWrongPassphrase
	}
	o.mu.Lock()
	o.created = true
	o.mu.Unlock()
	return journal.NewService(o.Store, o.Options...), nil
}

// Create implements journal.Opener.
func (o *MemOpener) Create(pass []byte) (*journal.Service, error) {
	if pass != nil {
		if err := o.Store.Encrypt(pass); err != nil {
			return nil, err
		}
	}
	return o.Open(pass)
}

// NeedsPassphrase implements journal.Opener.
func (o *MemOpener) NeedsPassphrase(err error) bool { return errors.Is(err, ErrWrongPassphrase) }
