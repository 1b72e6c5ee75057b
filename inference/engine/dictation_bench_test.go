package engine

import (
	"context"
	"path/filepath"
	"runtime"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/samojournal/samo/audio"
	"github.com/samojournal/samo/inference"
	"github.com/samojournal/samo/inference/speech"
	"github.com/samojournal/samo/inference/whisper"
	"github.com/samojournal/samo/inference/whisper/whispertest"
	"github.com/samojournal/samo/journal"
)

// speechAudio is seconds of the VAD tests' five utterances one after
// another, each followed by a short pause, over and over.
func speechAudio(tb testing.TB, seconds int) []float32 {
	tb.Helper()
	var clips [][]float32
	for i := 1; i <= 5; i++ {
		c, err := audio.DecodeFile(filepath.Join("..", "vad", "testdata", "utt"+string(rune('0'+i))+".wav"))
		if err != nil {
			tb.Fatal(err)
		}
		clips = append(clips, c.Mono16k())
	}
	var out []float32
	for i := 0; len(out) < seconds*audio.Rate; i++ {
		out = append(out, clips[i%len(clips)]...)
		out = append(out, make([]float32, audio.Rate/3)...)
	}
	return out[:seconds*audio.Rate]
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// openRandomBase opens the random-weight whisper-base int8 model with the
// VAD as the live path reads it: 2 threads, greedy, 40 tokens a window
// (about what 13 s of speech holds; a random-weight model never ends a
// window by itself), warmed by one reading (a session's first run costs
// more, once).
func openRandomBase(b *testing.B) (*speech.Pipeline, []float32) {
	dir := b.TempDir()
	spec := whispertest.Base()
	spec.Int8 = true
	if err := whispertest.WriteRandom(dir, spec); err != nil {
		b.Fatal(err)
	}
	rt := inference.NewRuntime(inference.NewLocator("", inference.EnvLibrary))
	b.Cleanup(func() { rt.Close() })
	p, err := speech.Open(rt, dir, speech.Options{Whisper: whisper.Options{Language: "en", MaxTokens: 40, Temperatures: []float32{0}, Threads: 2,
		Timestamps: true, NoSpeechThreshold: -1, DisableLogProbCheck: true, CompressionRatioThreshold: -1}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { p.Close() })
	samples := speechAudio(b, 30)
	if _, err := p.Transcribe(context.Background(), samples[:5*audio.Rate], nil); err != nil {
		b.Fatal(err)
	}
	return p, samples
}

// BenchmarkDictation: live text over 30 s of speech, an update a second
// (as samo dictate and the window do), with the random-weight whisper-base
// model, int8, on 2 threads: each update runs the VAD over the window not
// yet committed, the encoder and the decoding. It reports the compute
// time of one update (p50, p95, max) and the CPU used (core-seconds per
// second of speech), the updates run back to back.
func BenchmarkDictation(b *testing.B) {
	p, samples := openRandomBase(b)
	var updates []time.Duration
	var cpu time.Duration
	for b.Loop() {
		d := journal.NewDictation(p)
		c0 := cpuTime()
		for at := 0; at < len(samples); at += audio.Rate {
			d.Write(samples[at:min(len(samples), at+audio.Rate)])
			t, err := d.Update(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			if t.Compute > 0 {
				updates = append(updates, t.Compute)
			}
		}
		cpu += cpuTime() - c0
	}
	slices.Sort(updates)
	if len(updates) == 0 {
		b.Fatal("no update read anything")
	}
	b.ReportMetric(float64(updates[len(updates)/2].Milliseconds()), "update-ms-p50")
	b.ReportMetric(float64(updates[len(updates)*95/100].Milliseconds()), "update-ms-p95")
	b.ReportMetric(float64(updates[len(updates)-1].Milliseconds()), "update-ms-max")
	b.ReportMetric(cpu.Seconds()/float64(b.N)/30, "core-s/speech-s")
	b.ReportMetric(float64(runtime.NumCPU()), "cores")
}

// BenchmarkDictationLag: the same model, in real time: the audio arrives
// as it is spoken (a tenth of a second at a time), an update starts every
// interval (or at once, when the last one ran over). A word is committed
// when two successive readings agree on it, so its text appears when the
// second update that read it (with the 0.3 s of audio after it a model
// needs to be sure of a word) ends; the lag is that moment less the
// moment the word was said, over words ending every 0.1 s of the speech.
// With random weights no two readings agree, so the lag is computed from
// the updates' real timing rather than read from the committed text.
// CPU is core-seconds per second of speech at that interval.
func BenchmarkDictationLag(b *testing.B) {
	p, samples := openRandomBase(b)
	for _, every := range []time.Duration{time.Second, 600 * time.Millisecond, 500 * time.Millisecond} {
		b.Run("every="+every.String(), func(b *testing.B) {
			var lags []float64
			var cpu time.Duration
			for b.Loop() {
				type update struct {
					heard time.Duration // audio read by it
					done  time.Time
				}
				var ups []update
				d := journal.NewDictation(p)
				start := time.Now()
				c0 := cpuTime()
				fed := 0
				next := start.Add(every)
				for fed < len(samples) || len(ups) == 0 {
					now := time.Now()
					// the audio spoken by now arrives
					due := min(len(samples), int(now.Sub(start).Seconds()*audio.Rate)/(audio.Rate/10)*(audio.Rate/10))
					if due > fed {
						d.Write(samples[fed:due])
						fed = due
					}
					if now.Before(next) {
						time.Sleep(min(next.Sub(now), 20*time.Millisecond))
						continue
					}
					heard := time.Duration(fed) * time.Second / audio.Rate
					if _, err := d.Update(context.Background()); err != nil {
						b.Fatal(err)
					}
					ups = append(ups, update{heard, time.Now()})
					next = next.Add(every)
					if t := time.Now(); next.Before(t) {
						next = t
					}
				}
				cpu += cpuTime() - c0
				for said := time.Second; said < 28*time.Second; said += 100 * time.Millisecond {
					seen := 0
					for _, u := range ups {
						if u.heard >= said+300*time.Millisecond {
							if seen++; seen == 2 {
								lags = append(lags, u.done.Sub(start.Add(said)).Seconds())
								break
							}
						}
					}
				}
			}
			slices.Sort(lags)
			if len(lags) == 0 {
				b.Fatal("no lag measured")
			}
			b.ReportMetric(lags[len(lags)/2], "lag-s-p50")
			b.ReportMetric(lags[len(lags)*95/100], "lag-s-p95")
			b.ReportMetric(cpu.Seconds()/float64(b.N)/30, "core-s/speech-s")
		})
	}
}
