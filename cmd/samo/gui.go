package main

import (
	"errors"
	"log/slog"
	"os"
	"runtime"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

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
	path, err := c.journalPath()
	if err != nil {
		return err
	}
	a := app.NewWithID(appID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.IconPNG))
	w := a.NewWindow("SAMO")
	w.Resize(fyne.NewSize(980, 640))

	o := &storeOpener{path: path, log: slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: slog.LevelWarn})), analyzer: c.analyzer}
	if pass, err := c.passphrase(); err == nil && pass != nil {
		o.pass = pass // SAMO_PASSPHRASE or --passphrase-file unlock without asking
	}
	var opts []ui.Option
	if dir, err := c.recordingsDir(); err == nil {
		opts = append(opts, ui.WithVoice(&guiVoice{c: c, dir: dir}))
	}
	ui.Start(a, w, o, opts...)
	w.ShowAndRun()
	return o.close()
}

// storeOpener opens the journal for the window and owns the store it opened.
type storeOpener struct {
	path string
	pass []byte
	log  *slog.Logger
	// analyzer loads the emotion model when the journal opens (nil: none).
	analyzer func() journal.Analyzer

	mu sync.Mutex // st is set from the window's background work
	st *storage.Store
}

func (o *storeOpener) keep(st *storage.Store) *journal.Service {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.st = st
	opts := []journal.Option{journal.WithLogger(o.log)}
	if o.analyzer != nil {
		if a := o.analyzer(); a != nil {
			opts = append(opts, journal.WithAnalyzer(a))
		}
	}
	return journal.NewService(st, opts...)
}

func (o *storeOpener) Exists() bool {
	_, err := os.Stat(o.path)
	return err == nil
}

func (o *storeOpener) Open(pass []byte) (*journal.Service, error) {
	if pass == nil {
		pass = o.pass
	}
	st, err := storage.Open(o.path, storage.Options{Passphrase: pass})
	if err != nil {
		return nil, err
	}
	return o.keep(st), nil
}

func (o *storeOpener) Create(pass []byte) (*journal.Service, error) {
	var params storage.KDFParams
	if pass != nil {
		params = storage.TuneKDF(storage.KDFTarget)
	}
	st, err := storage.Create(o.path, pass, params)
	if err != nil {
		return nil, err
	}
	return o.keep(st), nil
}

func (o *storeOpener) NeedsPassphrase(err error) bool {
	return errors.Is(err, storage.ErrPassphraseRequired) || errors.Is(err, storage.ErrWrongPassphrase)
}

func (o *storeOpener) close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.st == nil {
		return nil
	}
	return o.st.Close()
}
