package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/storage"
)

func (c *cli) editCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "edit ID TEXT... | edit ID -",
		Short: "Replace an entry's text (\"-\" reads it from standard input)",
		Long: "edit replaces an entry's text. SAMO never opens an external editor: that would put the\n" +
			"entry in a plain temporary file on disk. Edit in the window, or pipe the new text in.",
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			text, err := c.textArg(args[1:])
			if err != nil {
				return err
			}
			return c.withAnalyzedJournal(func(svc *journal.Service) error {
				e, err := svc.Get(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				if _, err := svc.Update(cmd.Context(), e.ID, text); err != nil {
					return err
				}
				fmt.Fprintf(c.stdout, "updated %s\n", e.ID)
				return nil
			})
		},
	}
}

func (c *cli) correctCommand() *cobra.Command {
	var clear bool
	cmd := &cobra.Command{
		Use:   "correct ID EMOTION... | correct ID --clear",
		Short: "Say how you really felt in an entry (your emotions are shown instead of the model's, and kept)",
		Long: "correct records your own emotions for an entry, from the 28 SAMO reads (see samo analyze).\n" +
			"They are shown in place of the model's reading, which is kept beside them, and no re-analysis\n" +
			"changes them. --clear removes them, and the model's reading shows again.",
		Example: `  samo correct 01J2Z3... relief gratitude
  samo correct 01J2Z3... --clear`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var labels []string
			for _, a := range args[1:] {
				labels = append(labels, strings.Split(a, ",")...)
			}
			labels, err := journal.CleanLabels(labels)
			switch {
			case err != nil:
				return err
			case clear && len(labels) > 0:
				return errors.New("give emotions or --clear, not both")
			case !clear && len(labels) == 0:
				return errors.New("name the emotions you felt (for example: samo correct ID relief gratitude), or --clear")
			}
			return c.withJournal(func(svc *journal.Service, _ *storage.Store) error {
				e, err := svc.Correct(cmd.Context(), args[0], labels)
				if err != nil {
					return err
				}
				printFeelings(c.stdout, e)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&clear, "clear", false, "remove your emotions, so the model's reading shows again")
	return cmd
}

// printFeelings writes an entry's emotions in a line: the person's own,
// with what the model read beside them, or the model's reading.
func printFeelings(w io.Writer, e journal.Entry) {
	model := "not read yet (samo reanalyze reads it)"
	if em := e.Emotions; em != nil && len(em.Scores) == len(journal.EmotionLabels) {
		var parts []string
		for _, l := range em.Labels {
			s := em.Scores[slices.Index(journal.EmotionLabels[:], l)]
			parts = append(parts, fmt.Sprintf("%s (%s)", l, journal.Strength(s)))
		}
		model = strings.Join(parts, ", ")
	}
	if e.Corrected() {
		fmt.Fprintf(w, "Your emotions: %s · the model read: %s\n", strings.Join(e.Corrections.Labels, ", "), model)
		return
	}
	fmt.Fprintf(w, "Emotions: %s\n", model)
}

func (c *cli) deleteCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "delete ID",
		Short: "Delete an entry, with its audio and analysis",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withJournal(func(svc *journal.Service, _ *storage.Store) error {
				if err := svc.Delete(cmd.Context(), args[0]); err != nil {
					return err
				}
				fmt.Fprintf(c.stdout, "deleted %s\n", args[0])
				return nil
			})
		},
	}
}

func (c *cli) initCommand() *cobra.Command {
	var encrypt bool
	cmd := &cobra.Command{
		Use:   "init [--encrypt]",
		Short: "Create a journal, optionally encrypted with a passphrase",
		Long: "init creates a new journal in the journal folder. With --encrypt, every entry's text, audio,\n" +
			"emotions, embeddings and tags are encrypted at rest (XChaCha20-Poly1305 under a key derived\n" +
			"from your passphrase with Argon2id). Forget the passphrase and the journal cannot be read:\n" +
			"nobody, SAMO included, can recover it.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path, err := c.journalPath()
			if err != nil {
				return err
			}
			if _, err := os.Stat(path); err == nil {
				return fmt.Errorf("a journal already exists at %s (samo encrypt switches it to encrypted)", path)
			}
			var pass []byte
			var params storage.KDFParams
			if encrypt {
				if pass, err = c.newPassphrase(); err != nil {
					return err
				}
				params = storage.TuneKDF(storage.KDFTarget)
			}
			st, err := storage.Create(path, pass, params)
			if err != nil {
				return err
			}
			defer st.Close()
			kind := "a journal"
			if encrypt {
				kind = "an encrypted journal"
			}
			fmt.Fprintf(c.stdout, "created %s at %s\n", kind, path)
			return nil
		},
	}
	cmd.Flags().BoolVar(&encrypt, "encrypt", false, "encrypt the journal with a passphrase")
	cmd.Flags().StringVar(&c.newPassFile, "new-passphrase-file", "", "read the new passphrase from this file (default $"+envNewPassphrase+", else asked twice)")
	return cmd
}

// cryptoChange describes one of the commands that switch a journal's
// encryption: the state the journal must be in, whether a new passphrase is
// needed, and the change itself.
type cryptoChange struct {
	use, short    string
	needEncrypted bool   // the journal must be encrypted (true) or plain (false)
	wrongState    string // the error when it is not
	newPassphrase bool
	apply         func(st *storage.Store, pass []byte) error
	done          string
}

func (c *cli) cryptoCommand(ch cryptoChange) *cobra.Command {
	cmd := &cobra.Command{
		Use:   ch.use,
		Short: ch.short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := c.openStore(storage.Options{})
			if err != nil {
				return err
			}
			defer st.Close()
			if st.Encrypted() != ch.needEncrypted {
				return errors.New(ch.wrongState)
			}
			var pass []byte
			if ch.newPassphrase {
				if pass, err = c.newPassphrase(); err != nil {
					return err
				}
			}
			if err := ch.apply(st, pass); err != nil {
				return err
			}
			fmt.Fprintln(c.stdout, ch.done)
			return nil
		},
	}
	if ch.newPassphrase {
		cmd.Flags().StringVar(&c.newPassFile, "new-passphrase-file", "", "read the new passphrase from this file (default $"+envNewPassphrase+", else asked twice)")
	}
	return cmd
}

func (c *cli) encryptCommand() *cobra.Command {
	return c.cryptoCommand(cryptoChange{
		use: "encrypt", short: "Encrypt a plain journal with a passphrase, in place",
		needEncrypted: false, wrongState: "the journal is already encrypted (samo passphrase changes the passphrase)",
		newPassphrase: true,
		apply: func(st *storage.Store, pass []byte) error {
			return st.Encrypt(pass, storage.TuneKDF(storage.KDFTarget))
		},
		done: "the journal is now encrypted",
	})
}

func (c *cli) decryptCommand() *cobra.Command {
	return c.cryptoCommand(cryptoChange{
		use: "decrypt", short: "Remove a journal's encryption, in place (it needs the passphrase)",
		needEncrypted: true, wrongState: "the journal is not encrypted",
		apply: func(st *storage.Store, _ []byte) error { return st.Decrypt() },
		done:  "the journal is no longer encrypted",
	})
}

func (c *cli) passphraseCommand() *cobra.Command {
	return c.cryptoCommand(cryptoChange{
		use: "passphrase", short: "Change an encrypted journal's passphrase (entries are not re-encrypted; old backups keep the old one)",
		needEncrypted: true, wrongState: "the journal is not encrypted (samo encrypt encrypts it)",
		newPassphrase: true,
		apply: func(st *storage.Store, pass []byte) error {
			return st.ChangePassphrase(pass, storage.TuneKDF(storage.KDFTarget))
		},
		done: "the passphrase is changed",
	})
}

func (c *cli) backupCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent copy of the journal to FILE (encrypted journals stay encrypted)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, st, err := c.openJournal()
			if errors.Is(err, storage.ErrLocked) {
				return fmt.Errorf("%w\nWhile the SAMO window is open, back up from its menu: Journal → Back up…", err)
			}
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.Backup(args[0]); err != nil {
				return err
			}
			n, _ := svc.Count(cmd.Context())
			fmt.Fprintf(c.stdout, "backed up %d %s to %s\n", n, plural(n, "entry", "entries"), args[0])
			return nil
		},
	}
}

func (c *cli) restoreCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "restore FILE",
		Short: "Replace the journal with a backup (the current one is kept beside it)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path, err := c.journalPath()
			if err != nil {
				return err
			}
			pass, err := c.passphrase()
			if err != nil {
				return err
			}
			kept, err := storage.Restore(path, args[0], storage.Options{Passphrase: pass})
			if errors.Is(err, storage.ErrPassphraseRequired) && pass == nil && c.interactive() {
				if pass, err = c.prompt("Passphrase of the backup: "); err != nil {
					return err
				}
				kept, err = storage.Restore(path, args[0], storage.Options{Passphrase: pass})
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "restored %s from %s\n", path, args[0])
			if kept != "" {
				fmt.Fprintf(c.stdout, "the journal it replaced is kept as %s\n", kept)
			}
			return nil
		},
	}
}
