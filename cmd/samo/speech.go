package main

import (
	"context"
	"os"

	"github.com/samojournal/samo/journal"
)

// envSpeechModel names the variable that picks the speech model folder.
const envSpeechModel = "SAMO_SPEECH_MODEL"

// speechTranscriber turns 16 kHz speech into a transcript.
type speechTranscriber struct{}

// speechModelDir is the speech model in use: --speech-model, else
// $SAMO_SPEECH_MODEL, else the one the settings name, else none.
func (c *cli) speechModelDir() (string, error) {
	if c.speechModel != "" {
		return c.speechModel, nil
	}
	if d := os.Getenv(envSpeechModel); d != "" {
		return d, nil
	}
	s, err := c.loadSettings()
	if err != nil {
		return "", err
	}
	return s.SpeechModel, nil
}

// transcriber opens the speech model, or returns nil when none is
// installed.
func (c *cli) transcriber() (*speechTranscriber, error) {
	dir, err := c.speechModelDir()
	if err != nil || dir == "" {
		return nil, err
	}
	return nil, errNoSpeechModel
}

func (t *speechTranscriber) transcribe(ctx context.Context, samples []float32, progress func(done, total int)) (*journal.Transcript, error) {
	return nil, errNoSpeechModel
}
