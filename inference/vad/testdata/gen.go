//go:build ignore

// gen writes the speech fixtures of the vad tests: short English utterances
// spoken by espeak-ng, resampled to 16 kHz mono 16-bit WAV with SAMO's own
// resampler. The tests build their audio (silences, noise, long speech) from
// these at run time, so only the utterances are stored.
//
// Run from the vad package folder (it needs espeak-ng on PATH):
//
//	go run testdata/gen.go
package main

import (
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/samojournal/samo/audio"
)

// utterances are spoken in order as testdata/utt1.wav, utt2.wav, …. They
// have no inner punctuation, and were picked among fifteen candidates as
// those in which espeak-ng leaves no pause between words that Silero VAD
// hears as 100 ms of silence (its default MinSilence) — alone, with light
// noise or quieter — since the tests count one segment per utterance.
// Sentences such as "Nothing much happened today but I slept well" were
// left out: the closure of "slept" reads as a pause, splitting them.
var utterances = []struct{ voice, speed, text string }{
	{"en-us+f3", "150", "Reading in the garden was the nicest moment of my week"},
	{"en-gb", "170", "The meeting ran late again this afternoon"},
	{"en-us+f3", "150", "I am grateful for my family and my friends"},
	{"en-us+m3", "175", "Tomorrow I want to start running before work"},
	{"en-gb", "160", "Maybe I will go running in the morning"},
}

func main() {
	tmp, err := os.MkdirTemp("", "vadgen")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	for i, u := range utterances {
		raw := filepath.Join(tmp, "raw.wav")
		cmd := exec.Command("espeak-ng", "-v", u.voice, "-s", u.speed, "-w", raw, u.text)
		if out, err := cmd.CombinedOutput(); err != nil {
			log.Fatalf("espeak-ng: %v: %s", err, out)
		}
		data, err := os.ReadFile(raw)
		if err != nil {
			log.Fatal(err)
		}
		clip, err := audio.DecodeWAV(data)
		if err != nil {
			log.Fatal(err)
		}
		if clip.Channels != 1 {
			log.Fatalf("espeak-ng wrote %d channels", clip.Channels)
		}
		samples := audio.Resample(clip.Samples, clip.Rate, 16000)
		name := filepath.Join("testdata", fmt.Sprintf("utt%d.wav", i+1))
		w, err := audio.CreateWAV(name, 16000, 1)
		if err != nil {
			log.Fatal(err)
		}
		if err := w.Write(samples); err != nil {
			log.Fatal(err)
		}
		if err := w.Close(); err != nil {
			log.Fatal(err)
		}
		if err := os.Chmod(name, 0o644); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %.2f s, %s %s wpm: %q\n", name, float64(len(samples))/16000, u.voice, u.speed, u.text)
	}
}
