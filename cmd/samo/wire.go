package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"

	"github.com/samojournal/samo/inference/engine"
	"github.com/samojournal/samo/inference/speech"
	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/storage"
)

// This file is SAMO's wiring: the only place that knows the journal is a
// bbolt file (package storage) and that the models are onnxruntime's
// (package engine). It builds them once, from the flags, and hands the
// cobra commands and the window the same journal.Service.

// wiring is what every command shares once the flags are read: the
// person's settings, the notices, and the models.
type wiring struct {
	once     sync.Once
	home     string
	homeErr  error
	settings *journal.SettingsFile
	notices  *journal.Notices
	engine   *engine.Engine
}

// wire builds the shared services on first use (after the flags are parsed).
func (c *cli) wire() *wiring {
	w := &c.wired
	w.once.Do(func() {
		w.home, w.homeErr = c.homeDir()
		w.settings = journal.NewSettingsFile(w.home)
		w.engine = engine.New(engine.Config{ORTLibrary: c.ortLib, EmotionModel: c.emotionModel, SpeechModel: c.speechModel, Provider: c.provider,
			SpeechLanguage: c.speechLanguage, SpeechPrecision: c.speechPrecision, ModelsDir: filepath.Join(w.home, "models"), CatalogFile: filepath.Join(w.home, engine.UserCatalogFile)}, w.settings, w.notices)
	})
	return w
}

// engine returns the process's models.
func (c *cli) engine() *engine.Engine { return c.wire().engine }

// service returns the journal's Service over st, with the models, the
// settings and the notices.
func (c *cli) service(st journal.Store) *journal.Service {
	w := c.wire()
	return journal.NewService(st, journal.WithNotices(w.notices), journal.WithAnalyzer(w.engine),
		journal.WithSpeech(speech.Decoder{Warn: w.notices.Notify}, w.engine), journal.WithSettings(w.settings), journal.WithModels(w.engine), journal.WithModelManager(w.engine), journal.WithEmbedder(w.engine))
}

// journalPath returns the journal database's path in the journal folder.
func (c *cli) journalPath() (string, error) {
	if w := c.wire(); w.homeErr != nil {
		return "", w.homeErr
	}
	return storage.JournalPath(c.wire().home), nil
}

// newOpener is the window's way to the journal: SAMO_PASSPHRASE or
// --passphrase-file unlock it without asking.
func (c *cli) newOpener() (*storage.Opener, error) {
	path, err := c.journalPath()
	if err != nil {
		return nil, err
	}
	pass, _ := c.passphrase()
	return storage.NewOpener(path, pass, c.service), nil
}

// openStore opens the journal, unlocking it with the passphrase from the
// flag or environment, or asking for it at a terminal (three tries).
func (c *cli) openStore() (*storage.Store, error) {
	path, err := c.journalPath()
	if err != nil {
		return nil, err
	}
	pass := c.unlocked
	if pass == nil {
		if pass, err = c.passphrase(); err != nil {
			return nil, err
		}
	}
	var ask func(bool) ([]byte, error)
	if c.canAsk() {
		ask = func(wrong bool) ([]byte, error) {
			if wrong {
				fmt.Fprintln(c.stderr, "That passphrase does not unlock the journal.")
			}
			return c.prompt("Passphrase for " + path + ": ")
		}
	}
	st, pass, err := storage.OpenAsking(path, pass, ask, 3)
	if errors.Is(err, storage.ErrPassphraseRequired) && ask == nil {
		return nil, fmt.Errorf("%w: set %s or use --passphrase-file", err, envPassphrase)
	}
	c.unlocked = pass // asked once per command
	return st, err
}

// withJournal runs f on the open journal's Service and closes it afterwards.
func (c *cli) withJournal(f func(*journal.Service) error) error {
	st, err := c.openStore()
	if errors.Is(err, storage.ErrLocked) {
		return fmt.Errorf("%w\nClose it first, or do this in the window (its Settings also back up, restore, export and import)", err)
	}
	if err != nil {
		return err
	}
	ferr := f(c.service(storage.Journal{Store: st}))
	if err := st.Close(); err != nil && ferr == nil {
		ferr = err
	}
	return ferr
}

// refuseExisting fails when the journal already exists (before a new
// passphrase is asked for nothing).
func (c *cli) refuseExisting() error {
	o, err := c.newOpener()
	if err == nil && o.Exists() {
		err = fmt.Errorf("a journal already exists at %s (samo encrypt switches it to encrypted)", o.Path())
	}
	return err
}

// initJournal creates the journal file (encrypted with pass when not nil).
func (c *cli) initJournal(pass []byte) (string, error) {
	path, err := c.journalPath()
	if err != nil {
		return "", err
	}
	return path, storage.CreateNew(path, pass)
}

// restoreJournal replaces the journal file with a backup without opening
// it (a damaged journal cannot be opened), asking for the backup's
// passphrase at a terminal when it needs one.
func (c *cli) restoreJournal(from string) (path, kept string, err error) {
	if path, err = c.journalPath(); err != nil {
		return "", "", err
	}
	pass, err := c.passphrase()
	if err != nil {
		return "", "", err
	}
	kept, err = storage.Restore(path, from, storage.Options{Passphrase: pass})
	if errors.Is(err, storage.ErrPassphraseRequired) && pass == nil && c.interactive() {
		if pass, err = c.prompt("Passphrase of the backup: "); err != nil {
			return "", "", err
		}
		kept, err = storage.Restore(path, from, storage.Options{Passphrase: pass})
	}
	return path, kept, err
}

// checkJournal is the journal part of `samo doctor`.
func (c *cli) checkJournal(ctx context.Context) engine.JournalCheck {
	var j engine.JournalCheck
	path, err := c.journalPath()
	if err != nil {
		j.Error = err.Error()
		return j
	}
	j.Home, j.Path = filepath.Dir(path), path
	pass, _ := c.passphrase()
	st, err := storage.Inspect(ctx, path, pass)
	j.Encrypted, j.Locked, j.Entries, j.Damaged = st.Encrypted, st.Locked, st.Entries, st.Damaged
	if errors.Is(err, storage.ErrNoJournal) {
		j.Error = "no journal yet: it is created with the first entry"
	} else if err != nil {
		j.Error = err.Error()
	}
	return j
}

// addEmotionHealth adds the emotion model's health to doctor's report after
// its own checks (they start onnxruntime their own way).
func (c *cli) addEmotionHealth(ctx context.Context, r *engine.Report) {
	if r.Journal.Error != "" || r.Journal.Locked || r.Emotion.Error != "" {
		return
	}
	_ = c.withJournal(func(svc *journal.Service) error {
		if h, err := svc.EmotionHealth(ctx); err == nil {
			r.Journal.EmotionHealth = &h
		}
		return nil
	})
}
