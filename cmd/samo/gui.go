package main

import (
	"errors"
	"os"
	"time"

	"github.com/samojournal/samo/ui"
)

// envMaxRecording names the variable that changes the longest recording
// the window makes (a Go duration, e.g. 90m); the default is two hours.
const envMaxRecording = "SAMO_MAX_RECORDING"

// runGUI opens the journal window and returns when it is closed.
func (c *cli) runGUI() error {
	o, err := c.newOpener()
	if err != nil {
		return err
	}
	opts := []ui.Option{ui.WithScreen(c.screen)}
	if dir, err := c.recordingsDir(); err == nil {
		maxLen, err := time.ParseDuration(os.Getenv(envMaxRecording))
		if err != nil || maxLen <= 0 {
			maxLen = 2 * time.Hour
		}
		opts = append(opts, ui.WithVoice(ui.NewMicrophone(dir, maxLen)))
	}
	return errors.Join(ui.Run(o, opts...), o.Close())
}
