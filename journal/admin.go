package journal

import (
	"errors"
	"fmt"
)

// Errors for capabilities a Store may lack.
var (
	// ErrNoBackup means the Store cannot make backups.
	ErrNoBackup = errors.New("journal: this journal cannot be backed up")
	// ErrNoRestore means the Store cannot restore a backup in place.
	ErrNoRestore = errors.New("journal: this journal cannot restore a backup in place")
	// ErrNoEncryption means the Store cannot encrypt its journal.
	ErrNoEncryption = errors.New("journal: this journal cannot be encrypted")
	// ErrAlreadyEncrypted and ErrNotEncrypted are returned by the
	// encryption switches for a journal already in the state asked for.
	ErrAlreadyEncrypted = errors.New("journal: the journal is already encrypted")
	ErrNotEncrypted     = errors.New("journal: the journal is not encrypted")
)

// Opener is how a program reaches its journal: cmd/samo's wiring opens it
// on disk (bbolt), journaltest's MemOpener in memory.
type Opener interface {
	// Path is where the journal lives, for the person to see.
	Path() string
	// Exists reports whether a journal has been created.
	Exists() bool
	// Open opens the journal; passphrase is nil for a first, plain try.
	Open(passphrase []byte) (*Service, error)
	// Create makes a new journal, encrypted when passphrase is not nil.
	Create(passphrase []byte) (*Service, error)
	// NeedsPassphrase reports whether err means the journal is encrypted
	// and the passphrase was missing or wrong.
	NeedsPassphrase(err error) bool
}

// Backup writes a consistent copy of the journal to path while it stays in
// use, when the Store can (see BackupStore).
func (s *Service) Backup(path string) error {
	b, ok := s.store.(BackupStore)
	if !ok {
		return ErrNoBackup
	}
	if err := b.Backup(path); err != nil {
		return fmt.Errorf("journal: backup: %w", err)
	}
	return nil
}

// Restore replaces the journal with the backup at from (unlocked with
// passphrase when it is encrypted), keeping the journal it replaces, whose
// place it returns (see RestoreStore).
func (s *Service) Restore(from string, passphrase []byte) (kept string, err error) {
	r, ok := s.store.(RestoreStore)
	if !ok {
		return "", ErrNoRestore
	}
	kept, err = r.Restore(from, passphrase)
	if err != nil {
		return "", fmt.Errorf("journal: restore: %w", err)
	}
	s.lane.reset() // the index is of the journal that was replaced
	return kept, nil
}

func (s *Service) crypt() (CryptStore, error) {
	c, ok := s.store.(CryptStore)
	if !ok {
		return nil, ErrNoEncryption
	}
	return c, nil
}

// Encrypted reports whether the journal is encrypted at rest.
func (s *Service) Encrypted() bool {
	c, err := s.crypt()
	return err == nil && c.Encrypted()
}

// Encrypt encrypts a plain journal with passphrase, in place.
func (s *Service) Encrypt(passphrase []byte) error {
	return s.switchCrypt(false, ErrAlreadyEncrypted, func(c CryptStore) error { return c.Encrypt(passphrase) })
}

// Decrypt removes the journal's encryption, in place.
func (s *Service) Decrypt() error {
	return s.switchCrypt(true, ErrNotEncrypted, CryptStore.Decrypt)
}

// ChangePassphrase gives an encrypted journal a new passphrase.
func (s *Service) ChangePassphrase(passphrase []byte) error {
	return s.switchCrypt(true, ErrNotEncrypted, func(c CryptStore) error { return c.ChangePassphrase(passphrase) })
}

// switchCrypt runs change on a journal that must be encrypted (or not),
// else returns wrong.
func (s *Service) switchCrypt(encrypted bool, wrong error, change func(CryptStore) error) error {
	c, err := s.crypt()
	if err != nil {
		return err
	}
	if c.Encrypted() != encrypted {
		return wrong
	}
	if err := change(c); err != nil {
		return fmt.Errorf("journal: encryption: %w", err)
	}
	return nil
}
