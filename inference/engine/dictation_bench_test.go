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

// BenchmarkDictation: live text over 30 s of speech, one update a second
// (as samo dictate and the window do), with the random-weight whisper-base
// model, int8, on 2 threads: each update runs the VAD over the window not
// yet committed, the encoder, and a greedy decoding of 40 tokens (about
// what 13 s of speech holds; a random-weight model never ends a window by
// itself). It reports the compute time of one update (p50, p95), and the
// CPU used: core-seconds per second of speech, the updates done back to
// back. The lag of the committed text behind the speech is measured with
// the scripted model in TestCLI_DictateMatchesTheOfflineTranscript and
// journal's TestDictation tests; with random weights nothing agrees.
func BenchmarkDictation(b *testing.B) {
	dir := b.TempDir()
	spec := whispertest.Base()
	spec.Int8 = true
	if err := whispertest.WriteRandom(dir, spec); err != nil {
		b.Fatal(err)
	}
	rt := inference.NewRuntime(inference.NewLocator("", inference.EnvLibrary))
	defer rt.Close()
	p, err := speech.Open(rt, dir, speech.Options{Whisper: whisper.Options{Language: "en", MaxTokens: 40, Temperatures: []float32{0}, Threads: 2,
		Timestamps: true, NoSpeechThreshold: -1, DisableLogProbCheck: true, CompressionRatioThreshold: -1}})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	samples := speechAudio(b, 30)
	// The first run of a session costs more: the person's first update
	// pays it once (samo dictate warms the model while the recording
	// starts); the figures are the steady state.
	if _, err := p.Transcribe(context.Background(), samples[:5*audio.Rate], nil); err != nil {
		b.Fatal(err)
	}
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
