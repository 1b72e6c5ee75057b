package whisper_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/samojournal/samo/inference/whisper"
	"github.com/samojournal/samo/inference/whisper/whispertest"
)

// Progress never passes the total, whatever the windows' lengths and the
// segments a model gives (a last short window once reported 329 of
// 300 s), and ends at the total: with the scripted model, and with a
// random-weight one whose timestamps fall anywhere.
func TestTranscribe_ProgressNeverOvershoots(t *testing.T) {
	t.Run("scripted", func(t *testing.T) {
		progressChecks(t, scriptedWith(t, whispertest.ScriptConfig{}, whisper.Options{Timestamps: true}, ""))
	})
	t.Run("random", func(t *testing.T) {
		dir := t.TempDir()
		spec := whispertest.RandomSpec{NMels: 80, DModel: 32, Heads: 4, EncoderLayers: 2, DecoderLayers: 2, Multilingual: true, Seed: 9}
		if err := whispertest.WriteRandom(dir, spec); err != nil {
			t.Fatal(err)
		}
		m, err := whisper.Open(whisper.SharedRuntime(t), dir, whisper.Options{Timestamps: true, MaxTokens: 24, Temperatures: []float32{0},
			NoSpeechThreshold: -1, DisableLogProbCheck: true, CompressionRatioThreshold: -1})
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		progressChecks(t, m)
	})
}

func progressChecks(t *testing.T, m *whisper.Model) {
	rng := rand.New(rand.NewPCG(3, 3))
	for _, seconds := range []float64{7, 31, 37.5, 61, 95} {
		samples := make([]float32, int(seconds*whisper.SampleRate))
		for i := range samples { // bursts of noise, one every 4 s
			if i/whisper.SampleRate%4 == 0 {
				samples[i] = 0.3 * (2*rng.Float32() - 1)
			}
		}
		var last, total int
		calls := 0
		_, err := m.Transcribe(context.Background(), samples, nil, func(done, tot int) {
			calls++
			if done > tot || done < last {
				t.Fatalf("%v s: progress %d of %d after %d", seconds, done, tot, last)
			}
			last, total = done, tot
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := int(time.Duration(seconds * float64(time.Second)).Milliseconds()); calls == 0 || last != total || total != want {
			t.Fatalf("%v s: ended at %d of %d (want %d of %d)", seconds, last, total, want, want)
		}
	}
}
