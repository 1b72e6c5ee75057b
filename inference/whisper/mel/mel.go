// Package mel computes Whisper's log-mel spectrogram, the input_features of
// a Whisper encoder, in pure Go.
//
// It follows OpenAI Whisper's audio.log_mel_spectrogram as Hugging Face's
// WhisperFeatureExtractor implements it: 16 kHz mono samples, zero-padded or
// truncated to 30 s (480,000 samples); a centred short-time Fourier
// transform (reflect padding of n_fft/2 on both sides, periodic Hann window
// of 400, hop 160) whose last frame is dropped, leaving 3000 frames; the
// power spectrum |X|² of the 201 bins; a Slaney-style mel filter bank (80 or
// 128 filters, 0 to 8 kHz, area-normalized); log10(max(x, 1e-10)); values
// clamped from below at the spectrogram's maximum minus 8; then (x+4)/4.
// The output is laid out [n_mels][3000], row-major.
//
// Each window is clamped at its own maximum, as Hugging Face does. OpenAI's
// transcribe computes the spectrogram of a whole recording at once and
// clamps every window at the recording's maximum; the two differ only for
// recordings longer than 30 s whose windows differ in loudness.
//
// The tests compare it with transformers.js's WhisperFeatureExtractor on
// speech, a sine sweep, white noise and silence (testdata/reference.mjs).
package mel

import (
	"errors"
	"fmt"
	"math"
)

// Whisper's feature extraction parameters (preprocessor_config.json).
const (
	SampleRate = 16000                // samples per second
	NFFT       = 400                  // FFT and window length, 25 ms
	HopLength  = 160                  // samples between frames, 10 ms
	Chunk      = 30                   // seconds per window
	NSamples   = Chunk * SampleRate   // samples per window, 480,000
	NFrames    = NSamples / HopLength // frames per window, 3000
	FMax       = 8000.0               // upper edge of the highest mel filter, Hz
)

const (
	logFloor   = 1e-10            // smallest mel power taken to log10
	dynRange   = 8.0              // log10 range kept below the maximum
	nMelsBase  = 80               // n_mels of every Whisper but large-v3
	nMelsV3    = 128              // n_mels of Whisper large-v3 and turbo
	minNFFT    = 4                // smallest NFFT New accepts
	maxNFFT    = 1 << 14          // largest NFFT New accepts
	maxSamples = 600 * SampleRate // largest NSamples New accepts
)

// Errors New and Features return, wrapped with details.
var (
	// ErrConfig reports a Config value the extractor does not support.
	ErrConfig = errors.New("mel: unsupported config")
	// ErrNonFinite reports a NaN or infinite input sample.
	ErrNonFinite = errors.New("mel: non-finite sample")
)

// Config describes a Whisper feature extractor. DefaultConfig gives
// Whisper's; NMels is the model's feature_size (80, or 128 for large-v3).
type Config struct {
	NMels      int // mel filters: 80 or 128
	SampleRate int // input sample rate in Hz: 16000
	NFFT       int // window and FFT length in samples: 400
	Hop        int // samples between frames: 160
	NSamples   int // samples per window, padded or truncated to: 480000
}

// DefaultConfig returns Whisper's configuration with nMels mel filters.
func DefaultConfig(nMels int) Config {
	return Config{NMels: nMels, SampleRate: SampleRate, NFFT: NFFT, Hop: HopLength, NSamples: NSamples}
}

// validate checks c, naming the first unsupported value.
func (c Config) validate() error {
	switch {
	case c.NMels != nMelsBase && c.NMels != nMelsV3:
		return fmt.Errorf("%w: NMels %d, want %d or %d", ErrConfig, c.NMels, nMelsBase, nMelsV3)
	case c.SampleRate != SampleRate:
		return fmt.Errorf("%w: SampleRate %d, want %d", ErrConfig, c.SampleRate, SampleRate)
	case c.NFFT < minNFFT || c.NFFT > maxNFFT || c.NFFT%2 != 0:
		return fmt.Errorf("%w: NFFT %d, want an even number from %d to %d", ErrConfig, c.NFFT, minNFFT, maxNFFT)
	case c.Hop < 1 || c.Hop > c.NFFT:
		return fmt.Errorf("%w: Hop %d, want 1 to NFFT (%d)", ErrConfig, c.Hop, c.NFFT)
	case c.NSamples < c.NFFT || c.NSamples > maxSamples:
		return fmt.Errorf("%w: NSamples %d, want %d (NFFT) to %d", ErrConfig, c.NSamples, c.NFFT, maxSamples)
	}
	return nil
}

// Extractor computes log-mel features for one Config. It holds the
// precomputed window, FFT plan and filter bank, is never modified after New
// and is safe for concurrent use.
type Extractor struct {
	cfg     Config
	pad     int       // reflect padding on each side
	nFrames int       // frames kept per window
	window  []float64 // periodic Hann window, NFFT values
	fft     *realFFT
	filters []melFilter
}

// New returns an extractor for c, or an error wrapping ErrConfig that
// names the first unsupported value.
func New(c Config) (*Extractor, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	e := &Extractor{cfg: c, pad: c.NFFT / 2, fft: newRealFFT(c.NFFT)}
	// A centred STFT of the padded window has 1 + NSamples/Hop frames;
	// Whisper keeps NSamples/Hop of them, dropping the last.
	e.nFrames = min(1+(c.NSamples+2*e.pad-c.NFFT)/c.Hop, c.NSamples/c.Hop)

	// Periodic Hann window: the first NFFT values of a symmetric window of
	// NFFT+1, 0.5 + 0.5·cos(π(2i-NFFT)/NFFT) = 0.5 - 0.5·cos(2πi/NFFT).
	e.window = make([]float64, c.NFFT)
	for i := range e.window {
		e.window[i] = 0.5 + 0.5*math.Cos(math.Pi/float64(c.NFFT)*float64(2*i-c.NFFT))
	}
	e.filters, _ = filterBank(c.NMels, c.NFFT/2+1, c.SampleRate, 0, FMax)
	return e, nil
}

// Config returns the configuration the extractor was made with.
func (e *Extractor) Config() Config { return e.cfg }

// NMels returns the number of mel filters, the rows of the output.
func (e *Extractor) NMels() int { return e.cfg.NMels }

// NFrames returns the number of frames per window, the columns of the
// output: 3000 for Whisper.
func (e *Extractor) NFrames() int { return e.nFrames }

// Size returns the number of values Features returns, NMels()*NFrames().
func (e *Extractor) Size() int { return e.cfg.NMels * e.nFrames }

// Features returns the log-mel spectrogram of one window of 16 kHz mono
// samples, [NMels()][NFrames()] row-major. Samples past NSamples are
// ignored; a shorter input is padded with silence. A NaN or infinite sample
// among those used is an error wrapping ErrNonFinite that names its index.
func (e *Extractor) Features(samples []float32) ([]float32, error) {
	out := make([]float32, e.Size())
	if err := e.FeaturesInto(out, samples); err != nil {
		return nil, err
	}
	return out, nil
}

// FeaturesInto is Features writing into dst, which must hold Size()
// values; it allocates only scratch space.
func (e *Extractor) FeaturesInto(dst, samples []float32) error {
	if len(dst) != e.Size() {
		return fmt.Errorf("mel: output has %d values, want %d (%d mels × %d frames)", len(dst), e.Size(), e.cfg.NMels, e.nFrames)
	}
	n := e.cfg.NSamples
	samples = samples[:min(len(samples), n)]
	for i, v := range samples {
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%w at index %d: %v", ErrNonFinite, i, v)
		}
	}

	// The window: samples then zeros, reflected by pad at both ends
	// (x[pad-i] = x[pad+i], without repeating the edge sample).
	p := e.pad
	x := make([]float64, n+2*p)
	for i, v := range samples {
		x[p+i] = float64(v)
	}
	for i := 1; i <= p; i++ {
		x[p-i] = x[p+i]
		x[p+n-1+i] = x[p+n-1-i]
	}

	nfft, half := e.cfg.NFFT, e.cfg.NFFT/2
	z := make([]complex128, half)
	work := make([]complex128, half)
	power := make([]float64, half+1)
	nf := e.nFrames
	maxLog := float32(math.Inf(-1))
	for t := range nf {
		frame := x[t*e.cfg.Hop : t*e.cfg.Hop+nfft]
		for j := range z {
			z[j] = complex(frame[2*j]*e.window[2*j], frame[2*j+1]*e.window[2*j+1])
		}
		e.fft.power(z, work, power)
		for m, f := range e.filters {
			var sum float64
			for k, w := range f.weights {
				sum += w * power[f.first+k]
			}
			// As the reference: the floored mel power is stored as
			// float32, and so is its logarithm.
			v := float32(math.Log10(float64(float32(math.Max(logFloor, sum)))))
			dst[m*nf+t] = v
			maxLog = max(maxLog, v)
		}
	}
	floor := float64(maxLog) - dynRange
	for i, v := range dst {
		dst[i] = float32((math.Max(float64(v), floor) + 4) / 4)
	}
	return nil
}
