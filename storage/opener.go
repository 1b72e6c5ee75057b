package storage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/samojournal/samo/journal"
)

// Journal is a Store as the journal package uses it: its encryption
// switches tune the key derivation to this machine (about KDFTarget).
type Journal struct{ *Store }

var (
	_ journal.CryptStore   = Journal{}
	_ journal.RestoreStore = Journal{}
	_ journal.AudioStore   = Journal{}
	_ journal.BatchStore   = Journal{}
	_ journal.RecordStore  = Journal{}
)

// Encrypt implements journal.CryptStore.
func (j Journal) Encrypt(pass []byte) error { return j.Store.Encrypt(pass, TuneKDF(KDFTarget)) }

// ChangePassphrase implements journal.CryptStore.
func (j Journal) ChangePassphrase(pass []byte) error {
	return j.Store.ChangePassphrase(pass, TuneKDF(KDFTarget))
}

// CreateTuned creates a journal at path, encrypted with pass (key
// derivation tuned to this machine) when pass is not nil.
func CreateTuned(path string, pass []byte) (*Store, error) {
	var params KDFParams
	if pass != nil {
		params = TuneKDF(KDFTarget)
	}
	return Create(path, pass, params)
}

// CreateNew creates a journal at path as CreateTuned does, and closes it;
// a journal already there is refused (ErrExists) and left as it is.
func CreateNew(path string, pass []byte) error {
	st, err := CreateTuned(path, pass)
	if err != nil {
		return err
	}
	return st.Close()
}

// NeedsPassphrase reports whether err means the journal is encrypted and
// the passphrase was missing or wrong.
func NeedsPassphrase(err error) bool {
	return errors.Is(err, ErrPassphraseRequired) || errors.Is(err, ErrWrongPassphrase)
}

// Opener is a journal.Opener over the journal file at a path. It owns the
// store it opened last (Close closes it); service makes the journal's
// Service over it.
type Opener struct {
	path    string
	pass    []byte
	service func(journal.Store) *journal.Service
	mu      sync.Mutex
	st      *Store
}

var _ journal.Opener = (*Opener)(nil)

// NewOpener returns an Opener of the journal at path; pass (when not nil)
// is tried when Open is given none.
func NewOpener(path string, pass []byte, service func(journal.Store) *journal.Service) *Opener {
	return &Opener{path: path, pass: pass, service: service}
}

// Path implements journal.Opener.
func (o *Opener) Path() string { return o.path }

// Exists implements journal.Opener.
func (o *Opener) Exists() bool {
	_, err := os.Stat(o.path)
	return err == nil
}

func (o *Opener) keep(st *Store, err error) (*journal.Service, error) {
	if err != nil {
		return nil, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.st != nil {
		o.st.Close()
	}
	o.st = st
	return o.service(Journal{st}), nil
}

// Open implements journal.Opener.
func (o *Opener) Open(pass []byte) (*journal.Service, error) {
	if pass == nil {
		pass = o.pass
	}
	return o.keep(Open(o.path, Options{Passphrase: pass}))
}

// Create implements journal.Opener.
func (o *Opener) Create(pass []byte) (*journal.Service, error) {
	return o.keep(CreateTuned(o.path, pass))
}

// NeedsPassphrase implements journal.Opener.
func (o *Opener) NeedsPassphrase(err error) bool { return NeedsPassphrase(err) }

// Close closes the store it opened last.
func (o *Opener) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.st == nil {
		return nil
	}
	err := o.st.Close()
	o.st = nil
	return err
}

// Status is what Inspect finds of a journal file.
type Status struct {
	Encrypted bool
	// Locked is true for an encrypted journal that no passphrase was given for.
	Locked  bool
	Entries int
	// Damaged are the entries that cannot be read (see Store.Verify).
	Damaged []string
}

// ErrNoJournal means no journal file exists yet at the path.
var ErrNoJournal = errors.New("storage: no journal yet: it is created with the first entry")

// Inspect opens the journal at path read-only (so it works while another
// SAMO has it open) and says whether it is encrypted and, when it can be
// unlocked with pass, how many entries it holds. It checks the whole
// journal (Store.Verify; bbolt's consistency check alone for a locked
// one): damage is an error wrapping ErrDamaged that says what to do, with
// the damaged entries in Status. A journal of an older schema is opened
// for writing instead, which upgrades it, as any SAMO opening it would.
func Inspect(ctx context.Context, path string, pass []byte) (Status, error) {
	if _, err := os.Stat(path); os.IsNotExist(err) {
		return Status{}, ErrNoJournal
	}
	st, err := Open(path, Options{ReadOnly: true, Passphrase: pass})
	if errors.Is(err, ErrNeedsUpgrade) {
		st, err = Open(path, Options{Passphrase: pass})
	}
	if errors.Is(err, ErrPassphraseRequired) {
		st, err = Open(path, Options{ReadOnly: true, skipUnlock: true})
		if err == nil {
			defer st.Close()
			if err = st.Check(); err != nil {
				err = fmt.Errorf("%w; %s", err, RestoreHint)
			}
		}
		return Status{Encrypted: true, Locked: true}, err
	}
	if err != nil {
		return Status{}, err
	}
	defer st.Close()
	n, err := st.Count(ctx)
	if err != nil {
		return Status{}, err
	}
	s := Status{Encrypted: st.Encrypted(), Entries: n}
	h, err := st.Verify(ctx)
	if err != nil {
		return s, err
	}
	s.Damaged = h.Damaged
	switch {
	case len(h.Damaged) > 0:
		err = fmt.Errorf("%w: %s: the journal is not written to until it is repaired: delete %s (samo delete ID), or %s",
			ErrDamaged, damagedList(h.Damaged), journal.Plural(len(h.Damaged), "it", "them"), RestoreHint)
	case len(h.Records) > 0:
		err = fmt.Errorf("%w: the records %s cannot be read; %s", ErrDamaged, strings.Join(h.Records, ", "), RestoreHint)
	}
	return s, err
}

// JournalPath is the journal file in the journal folder home.
func JournalPath(home string) string { return filepath.Join(home, FileName) }

// OpenAsking opens the journal at path with pass. When it is encrypted and
// pass is missing or wrong, it calls ask for a passphrase (when ask is not
// nil) up to tries times, telling it whether the last one was wrong. It
// returns the store and the passphrase that unlocked it.
func OpenAsking(path string, pass []byte, ask func(wrong bool) ([]byte, error), tries int) (*Store, []byte, error) {
	s, err := Open(path, Options{Passphrase: pass})
	for try := 0; ask != nil && NeedsPassphrase(err) && try < tries; try++ {
		if pass, err = ask(try > 0); err != nil {
			return nil, nil, err
		}
		s, err = Open(path, Options{Passphrase: pass})
	}
	if err != nil {
		return nil, nil, err
	}
	return s, pass, nil
}
