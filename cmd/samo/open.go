package main

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"golang.org/x/term"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/storage"
)

// envPassphrase names the environment variable holding the journal's passphrase.
const envPassphrase = "SAMO_PASSPHRASE"

// envNewPassphrase names the variable holding a new passphrase (samo
// encrypt, samo passphrase, samo init --encrypt) for non-interactive use.
const envNewPassphrase = "SAMO_NEW_PASSPHRASE"

// journalPath returns the journal database's path in the journal folder.
func (c *cli) journalPath() (string, error) {
	home, err := c.homeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, storage.FileName), nil
}

// passphrase returns the journal passphrase from --passphrase-file or
// $SAMO_PASSPHRASE, or nil when neither is set.
func (c *cli) passphrase() ([]byte, error) {
	if c.passFile != "" {
		return readPassFile(c.passFile)
	}
	if p := os.Getenv(envPassphrase); p != "" {
		return []byte(p), nil
	}
	return nil, nil
}

func readPassFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read passphrase file: %w", err)
	}
	b = bytes.TrimRight(b, "\r\n")
	if len(b) == 0 {
		return nil, fmt.Errorf("passphrase file %s is empty", path)
	}
	return b, nil
}

// interactive reports whether a person can be asked at the terminal.
func (c *cli) interactive() bool {
	f, ok := c.stdin.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// prompt asks for a passphrase at the terminal without echoing it.
func (c *cli) prompt(question string) ([]byte, error) {
	fmt.Fprint(c.stderr, question)
	p, err := term.ReadPassword(int(c.stdin.(*os.File).Fd()))
	fmt.Fprintln(c.stderr)
	if err != nil {
		return nil, fmt.Errorf("read passphrase: %w", err)
	}
	return p, nil
}

// newPassphrase gets a new passphrase: --new-passphrase-file,
// $SAMO_NEW_PASSPHRASE, or asked twice at the terminal.
func (c *cli) newPassphrase() ([]byte, error) {
	if c.newPassFile != "" {
		return readPassFile(c.newPassFile)
	}
	if p := os.Getenv(envNewPassphrase); p != "" {
		return []byte(p), nil
	}
	if !c.interactive() {
		return nil, fmt.Errorf("a new passphrase is needed: set %s or use --new-passphrase-file", envNewPassphrase)
	}
	p, err := c.prompt("New passphrase: ")
	if err != nil {
		return nil, err
	}
	if len(p) == 0 {
		return nil, storage.ErrEmptyPassphrase
	}
	again, err := c.prompt("Repeat it: ")
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(p, again) {
		return nil, errors.New("the two passphrases differ; nothing was changed")
	}
	return p, nil
}

// openStore opens the journal, unlocking it with the passphrase from the
// flag or environment, or asking for it at a terminal (three tries).
func (c *cli) openStore(opt storage.Options) (*storage.Store, error) {
	path, err := c.journalPath()
	if err != nil {
		return nil, err
	}
	if c.unlocked != nil {
		opt.Passphrase = c.unlocked
	} else if opt.Passphrase, err = c.passphrase(); err != nil {
		return nil, err
	}
	s, err := storage.Open(path, opt)
	if !errors.Is(err, storage.ErrPassphraseRequired) && !errors.Is(err, storage.ErrWrongPassphrase) {
		return s, err
	}
	if !c.interactive() || c.passFile != "" || os.Getenv(envPassphrase) != "" {
		if errors.Is(err, storage.ErrPassphraseRequired) {
			return nil, fmt.Errorf("%w: set %s or use --passphrase-file", err, envPassphrase)
		}
		return nil, err
	}
	for range 3 {
		if opt.Passphrase, err = c.prompt("Passphrase for " + path + ": "); err != nil {
			return nil, err
		}
		s, err = storage.Open(path, opt)
		if err == nil {
			c.unlocked = opt.Passphrase // asked once per command
		}
		if !errors.Is(err, storage.ErrWrongPassphrase) {
			return s, err
		}
		fmt.Fprintln(c.stderr, "That passphrase does not unlock the journal.")
	}
	return nil, err
}

// openJournal opens the journal and returns its service and its store.
func (c *cli) openJournal() (*journal.Service, *storage.Store, error) {
	st, err := c.openStore(storage.Options{})
	if err != nil {
		return nil, nil, err
	}
	logger := slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return journal.NewService(st, journal.WithLogger(logger)), st, nil
}

// withAnalyzedJournal is withJournal with a service that reads the
// emotions of what it saves (see analyzer).
func (c *cli) withAnalyzedJournal(f func(*journal.Service) error) error {
	a := c.analyzer()
	return c.withJournal(func(_ *journal.Service, st *storage.Store) error {
		logger := slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		opts := []journal.Option{journal.WithLogger(logger)}
		if a != nil {
			opts = append(opts, journal.WithAnalyzer(a))
		}
		return f(journal.NewService(st, opts...))
	})
}

// withJournal runs f with the open journal and closes it afterwards.
func (c *cli) withJournal(f func(*journal.Service, *storage.Store) error) error {
	svc, st, err := c.openJournal()
	if err != nil {
		return err
	}
	ferr := f(svc, st)
	if err := st.Close(); err != nil && ferr == nil {
		ferr = err
	}
	return ferr
}
