package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/samojournal/samo/assets"
	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/storage"
	"github.com/samojournal/samo/ui"
)

// appID is SAMO's application id (also in FyneApp.toml).
const appID = "app.samo.journal"

// runGUI opens the journal window and returns when it is closed.
func (c *cli) runGUI() error {
	if runtime.GOOS == "linux" && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return errors.New("no display to open the journal window on (neither DISPLAY nor WAYLAND_DISPLAY is set); " +
			"run SAMO in a desktop session, or use the commands: samo --help")
	}
	home, err := c.homeDir()
	if err != nil {
		return err
	}
	a := app.NewWithID(appID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.IconPNG))
	w := a.NewWindow("SAMO")
	w.Resize(fyne.NewSize(980, 640))

	st, err := storage.Open(filepath.Join(home, storage.FileName), storage.Options{})
	if err != nil {
		// Say what is wrong in the window itself, not only on a terminal the
		// person may not be looking at.
		msg := widget.NewLabel(fmt.Sprintf("SAMO could not open your journal.\n\n%v", err))
		msg.Wrapping = fyne.TextWrapWord
		w.SetContent(container.NewPadded(container.NewBorder(nil, widget.NewButton("Quit", a.Quit), nil, nil, msg)))
		w.ShowAndRun()
		return err
	}
	defer st.Close()
	logger := slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ui.Create(a, w, journal.NewService(st, journal.WithLogger(logger)))
	w.ShowAndRun()
	return nil
}
