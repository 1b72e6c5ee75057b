package mel

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// tolerance is the largest difference allowed from the reference, per value.
const tolerance = 1e-4

// reference is testdata/reference.json, written by testdata/reference.mjs.
type reference struct {
	Reference string    `json:"reference"`
	NSamples  int       `json:"n_samples"`
	NFrames   int       `json:"n_frames"`
	Cases     []refCase `json:"cases"`
	data      []float32 // testdata/reference.f32.gz
}

// refCase is one reference run: the signal in Input (a WAV in testdata, or
// none for silence), times Scale, placed at sample Offset of a silent input
// of Samples samples; its output equals Fill outside frames [First, Last),
// and the frames inside are stored at Data in the float data.
type refCase struct {
	Name    string  `json:"name"`
	Input   string  `json:"input"`
	Offset  int     `json:"offset"`
	Scale   float64 `json:"scale"`
	NMels   int     `json:"n_mels"`
	Samples int     `json:"samples"`
	First   int     `json:"first"`
	Last    int     `json:"last"`
	Fill    float64 `json:"fill"`
	Data    int     `json:"data"`
}

func loadReference(t testing.TB) *reference {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref reference
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatalf("reference.json: %v", err)
	}
	f, err := os.Open(filepath.Join("testdata", "reference.f32.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("reference.f32.gz: %v", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("reference.f32.gz: %v", err)
	}
	ref.data = make([]float32, len(raw)/4)
	for i := range ref.data {
		ref.data[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	if ref.NSamples != NSamples || ref.NFrames != NFrames || len(ref.Cases) == 0 {
		t.Fatalf("reference.json: %d samples, %d frames, %d cases", ref.NSamples, ref.NFrames, len(ref.Cases))
	}
	for _, c := range ref.Cases {
		if end := c.Data + c.NMels*(c.Last-c.First); end > len(ref.data) {
			t.Fatalf("reference %s: data ends at %d, file has %d floats", c.Name, end, len(ref.data))
		}
	}
	return &ref
}

// readWAV reads a 16-bit PCM mono 16 kHz WAV file.
func readWAV(t testing.TB, path string) []int16 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		t.Fatalf("%s: not a WAV file", path)
	}
	var fmtOK bool
	for p := 12; p+8 <= len(b); {
		id, n := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:]))
		body := b[p+8 : min(len(b), p+8+n)]
		switch id {
		case "fmt ":
			fmtOK = len(body) >= 16 && binary.LittleEndian.Uint16(body) == 1 &&
				binary.LittleEndian.Uint16(body[2:]) == 1 &&
				binary.LittleEndian.Uint32(body[4:]) == SampleRate &&
				binary.LittleEndian.Uint16(body[14:]) == 16
		case "data":
			if !fmtOK {
				t.Fatalf("%s: want 16-bit PCM mono at %d Hz", path, SampleRate)
			}
			pcm := make([]int16, len(body)/2)
			for i := range pcm {
				pcm[i] = int16(binary.LittleEndian.Uint16(body[2*i:]))
			}
			return pcm
		}
		p += 8 + n + n&1
	}
	t.Fatalf("%s: no data chunk", path)
	return nil
}

// input builds the samples of case c as reference.mjs does.
func (c refCase) input(t testing.TB) []float32 {
	t.Helper()
	var pcm []int16
	if c.Input != "" {
		pcm = readWAV(t, filepath.Join("testdata", c.Input))
	}
	x := make([]float32, c.Offset+len(pcm))
	for i, s := range pcm {
		x[c.Offset+i] = float32(float64(s) / 32768 * c.Scale)
	}
	if len(x) != c.Samples {
		t.Fatalf("%s: input has %d samples, reference %d", c.Name, len(x), c.Samples)
	}
	return x
}

// diff compares features got, [nMels][nFrames], with the reference of c
// over the frames both have, and returns the largest absolute difference
// and where it is.
func (ref *reference) diff(c refCase, got []float32, nMels, nFrames int) (float64, string) {
	width := c.Last - c.First
	worst, where := 0.0, ""
	for m := range min(nMels, c.NMels) {
		for f := range min(nFrames, ref.NFrames) {
			want := c.Fill
			if f >= c.First && f < c.Last {
				want = float64(ref.data[c.Data+m*width+f-c.First])
			}
			d := math.Abs(float64(got[m*nFrames+f]) - want)
			if d > worst || math.IsNaN(d) {
				worst, where = d, fmt.Sprintf("mel %d frame %d: got %v, want %v", m, f, got[m*nFrames+f], want)
			}
		}
	}
	return worst, where
}

func TestExtractor_Features_Reference(t *testing.T) {
	ref := loadReference(t)
	extractors := map[int]*Extractor{}
	for _, n := range []int{80, 128} {
		e, err := New(DefaultConfig(n))
		if err != nil {
			t.Fatal(err)
		}
		extractors[n] = e
	}
	for _, c := range ref.Cases {
		t.Run(c.Name, func(t *testing.T) {
			e := extractors[c.NMels]
			if e == nil {
				t.Fatalf("no extractor for %d mels", c.NMels)
			}
			got, err := e.Features(c.input(t))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != c.NMels*ref.NFrames || e.NFrames() != ref.NFrames {
				t.Fatalf("got %d values, %d frames; want %d × %d", len(got), e.NFrames(), c.NMels, ref.NFrames)
			}
			worst, where := ref.diff(c, got, c.NMels, e.NFrames())
			t.Logf("max |diff| %.3g over %d × %d values (%s)", worst, c.NMels, ref.NFrames, ref.Reference)
			if worst > tolerance || math.IsNaN(worst) {
				t.Errorf("max |diff| %g > %g at %s", worst, tolerance, where)
			}
		})
	}
}

// The comparison must be able to fail: a wrong hop, a slightly louder
// input or one shifted by a sample must all be told apart from the
// reference.
func TestExtractor_Features_ReferenceDetectsMismatch(t *testing.T) {
	ref := loadReference(t)
	var c refCase
	for _, rc := range ref.Cases {
		if rc.Name == "speech/80" {
			c = rc
		}
	}
	if c.Name == "" {
		t.Fatal("reference has no case speech/80")
	}
	x := c.input(t)
	tests := []struct {
		name    string
		cfg     Config
		samples []float32
	}{
		{"hop 161", Config{NMels: 80, SampleRate: SampleRate, NFFT: NFFT, Hop: 161, NSamples: NSamples}, x},
		{"hop 150", Config{NMels: 80, SampleRate: SampleRate, NFFT: NFFT, Hop: 150, NSamples: NSamples}, x},
		{"nfft 512", Config{NMels: 80, SampleRate: SampleRate, NFFT: 512, Hop: HopLength, NSamples: NSamples}, x},
		{"1% louder", DefaultConfig(80), scaled(x, 1.01)},
		{"one sample late", DefaultConfig(80), append([]float32{0}, x...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := New(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.Features(tt.samples)
			if err != nil {
				t.Fatal(err)
			}
			worst, where := ref.diff(c, got, e.NMels(), e.NFrames())
			t.Logf("max |diff| %.3g (%s); %d frames", worst, where, e.NFrames())
			if worst <= tolerance {
				t.Errorf("max |diff| %g ≤ %g: a wrong input or config passes as the reference", worst, tolerance)
			}
		})
	}
}

func scaled(x []float32, k float32) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = v * k
	}
	return out
}

func TestNew_Errors(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"mels 0", func(c *Config) { c.NMels = 0 }, "NMels 0"},
		{"mels 64", func(c *Config) { c.NMels = 64 }, "NMels 64"},
		{"rate 8k", func(c *Config) { c.SampleRate = 8000 }, "SampleRate 8000"},
		{"rate 44.1k", func(c *Config) { c.SampleRate = 44100 }, "SampleRate 44100"},
		{"nfft odd", func(c *Config) { c.NFFT = 401 }, "NFFT 401"},
		{"nfft 0", func(c *Config) { c.NFFT = 0 }, "NFFT 0"},
		{"nfft huge", func(c *Config) { c.NFFT = 1 << 20 }, "NFFT 1048576"},
		{"hop 0", func(c *Config) { c.Hop = 0 }, "Hop 0"},
		{"hop negative", func(c *Config) { c.Hop = -160 }, "Hop -160"},
		{"hop over nfft", func(c *Config) { c.Hop = 401 }, "Hop 401"},
		{"samples short", func(c *Config) { c.NSamples = 399 }, "NSamples 399"},
		{"samples huge", func(c *Config) { c.NSamples = 1 << 30 }, "NSamples 1073741824"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig(80)
			tt.edit(&c)
			e, err := New(c)
			if err == nil {
				t.Fatalf("New(%+v) = %v, want an error", c, e)
			}
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "mel: ") {
				t.Errorf("New(%+v) error %q, want ErrConfig naming %q", c, err, tt.want)
			}
		})
	}
}

func TestNew_Default(t *testing.T) {
	for _, n := range []int{80, 128} {
		e, err := New(DefaultConfig(n))
		if err != nil {
			t.Fatalf("New(DefaultConfig(%d)): %v", n, err)
		}
		if e.NFrames() != NFrames || e.NMels() != n || e.Size() != n*NFrames || e.Config() != DefaultConfig(n) {
			t.Errorf("DefaultConfig(%d): %d mels, %d frames, size %d, config %+v", n, e.NMels(), e.NFrames(), e.Size(), e.Config())
		}
	}
	if NSamples != 480000 || NFrames != 3000 {
		t.Errorf("NSamples %d, NFrames %d; want 480000, 3000", NSamples, NFrames)
	}
}

func TestExtractor_Features_NonFinite(t *testing.T) {
	e, err := New(DefaultConfig(80))
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
		x := make([]float32, 1000)
		x[7] = bad
		_, err := e.Features(x)
		if !errors.Is(err, ErrNonFinite) || !strings.Contains(err.Error(), "index 7") || !strings.HasPrefix(err.Error(), "mel: ") {
			t.Errorf("sample 7 = %v: error %v, want ErrNonFinite naming index 7", bad, err)
		}
	}
	// Samples past the window are not used, so they are not checked.
	x := make([]float32, NSamples+10)
	x[NSamples+3] = float32(math.NaN())
	if _, err := e.Features(x); err != nil {
		t.Errorf("NaN past the window: %v", err)
	}
}

func TestExtractor_FeaturesInto_Size(t *testing.T) {
	e, err := New(DefaultConfig(80))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, e.Size() - 1, e.Size() + 1} {
		if err := e.FeaturesInto(make([]float32, n), nil); err == nil || !strings.HasPrefix(err.Error(), "mel: ") {
			t.Errorf("FeaturesInto(%d values): error %v, want one", n, err)
		}
	}
}

// noise returns n samples of uniform white noise in [-amp, amp).
func noise(n int, amp float32, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 7))
	x := make([]float32, n)
	for i := range x {
		x[i] = (rng.Float32()*2 - 1) * amp
	}
	return x
}

func TestExtractor_Features_Window(t *testing.T) {
	e, err := New(DefaultConfig(80))
	if err != nil {
		t.Fatal(err)
	}
	long := noise(NSamples+5000, 0.3, 1)
	full, err := e.Features(long)
	if err != nil {
		t.Fatal(err)
	}
	exact, err := e.Features(long[:NSamples])
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(full, exact) {
		t.Error("samples past NSamples changed the features")
	}
	short := long[:12345]
	padded := append(slices.Clone(short), make([]float32, NSamples-len(short))...)
	a, err := e.Features(short)
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.Features(padded)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a, b) {
		t.Error("a short input differs from the same input padded with zeros")
	}
	// Every value lies in [max-2, max]: the clamp keeps 8 decades, /4.
	hi := slices.Max(full)
	for i, v := range full {
		if !(v >= hi-2-1e-6 && v <= hi) {
			t.Fatalf("value %d = %v outside [%v, %v]", i, v, hi-2, hi)
		}
	}
}

func TestExtractor_Features_Concurrent(t *testing.T) {
	e, err := New(DefaultConfig(80))
	if err != nil {
		t.Fatal(err)
	}
	inputs := [][]float32{noise(NSamples/3, 0.5, 1), noise(NSamples, 0.1, 2), nil}
	want := make([][]float32, len(inputs))
	for i, x := range inputs {
		if want[i], err = e.Features(x); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2*len(inputs))
	for range 2 {
		for i, x := range inputs {
			wg.Go(func() {
				got, err := e.Features(x)
				if err == nil && !slices.Equal(got, want[i]) {
					err = fmt.Errorf("input %d: concurrent features differ", i)
				}
				if err != nil {
					errs <- err
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func FuzzFeatures(f *testing.F) {
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte{0xff, 0x7f, 0x00, 0x80}, 2000))
	f.Add(bytes.Repeat([]byte{1, 0}, 300))
	if b, err := os.ReadFile(filepath.Join("testdata", "speech.wav")); err == nil {
		f.Add(b[44:min(len(b), 44+16000)])
	}
	e, err := New(DefaultConfig(80))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, pcm []byte) {
		x := make([]float32, len(pcm)/2)
		for i := range x {
			x[i] = float32(int16(binary.LittleEndian.Uint16(pcm[2*i:]))) / 32768
		}
		got, err := e.Features(x)
		if err != nil {
			t.Fatal(err)
		}
		hi := slices.Max(got)
		for i, v := range got {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) || v < hi-2-1e-6 {
				t.Fatalf("value %d = %v (max %v)", i, v, hi)
			}
		}
	})
}

func BenchmarkFeatures_30s(b *testing.B) {
	x := noise(NSamples, 0.3, 3)
	for _, n := range []int{80, 128} {
		b.Run(fmt.Sprintf("mels=%d", n), func(b *testing.B) {
			e, err := New(DefaultConfig(n))
			if err != nil {
				b.Fatal(err)
			}
			dst := make([]float32, e.Size())
			for b.Loop() {
				if err := e.FeaturesInto(dst, x); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1e3/float64(b.N), "ms/30s")
		})
	}
}
