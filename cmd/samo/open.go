package main

import (
	"fmt"
	"os"

	"github.com/samojournal/samo/internal/terminal"
)

// envPassphrase names the environment variable holding the journal's passphrase.
const envPassphrase = "SAMO_PASSPHRASE"

// envNewPassphrase names the variable holding a new passphrase (samo
// encrypt, samo passphrase, samo init --encrypt) for non-interactive use.
const envNewPassphrase = "SAMO_NEW_PASSPHRASE"

// passphrase returns the journal passphrase from --passphrase-file or
// $SAMO_PASSPHRASE, or nil when neither is set.
func (c *cli) passphrase() ([]byte, error) { return terminal.Passphrase(c.passFile, envPassphrase) }

// interactive reports whether a person can be asked at the terminal.
func (c *cli) interactive() bool { return terminal.Is(c.stdin) }

// prompt asks for a passphrase at the terminal without echoing it.
func (c *cli) prompt(question string) ([]byte, error) {
	return terminal.ReadPassword(c.stdin, c.stderr, question)
}

// newPassphrase gets a new passphrase: --new-passphrase-file,
// $SAMO_NEW_PASSPHRASE, or asked twice at the terminal.
func (c *cli) newPassphrase() ([]byte, error) {
	if p, err := terminal.Passphrase(c.newPassFile, envNewPassphrase); p != nil || err != nil {
		return p, err
	}
	if !c.interactive() {
		return nil, fmt.Errorf("a new passphrase is needed: set %s or use --new-passphrase-file", envNewPassphrase)
	}
	return terminal.NewPassword(c.stdin, c.stderr)
}

// canAsk reports whether a passphrase may be asked at the terminal: it is
// one, and neither the flag nor the environment gave one.
func (c *cli) canAsk() bool {
	return c.interactive() && c.passFile == "" && os.Getenv(envPassphrase) == ""
}
