package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/samojournal/samo/journal"
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
			return c.withJournal(func(svc *journal.Service) error {
				e, err := svc.Update(cmd.Context(), args[0], text)
				if err == nil {
					fmt.Fprintf(c.stdout, "updated %s\n", e.ID)
				}
				return err
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
			labels, err := journal.CorrectionLabels(args[1:], clear)
			if err != nil {
				return err
			}
			return c.withJournal(func(svc *journal.Service) error {
				e, err := svc.Correct(cmd.Context(), args[0], labels)
				if err != nil {
					return err
				}
				fmt.Fprintln(c.stdout, e.DescribeFeelings())
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&clear, "clear", false, "remove your emotions, so the model's reading shows again")
	return cmd
}

func (c *cli) deleteCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "delete ID",
		Short: "Delete an entry, with its audio and analysis",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withJournal(func(svc *journal.Service) error {
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
			if err := c.refuseExisting(); err != nil {
				return err
			}
			var pass []byte
			if encrypt {
				var err error
				if pass, err = c.newPassphrase(); err != nil {
					return err
				}
			}
			path, err := c.initJournal(pass)
			if err != nil {
				return err
			}
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
// encryption: whether a new passphrase is needed, the change itself, and
// what to say when the journal is already as asked (wrongState) and when
// the change is done.
type cryptoChange struct {
	use, short    string
	needEncrypted bool // the journal must be encrypted (true) or plain (false)
	wrongState    string
	newPassphrase bool
	apply         func(svc *journal.Service, pass []byte) error
	done          string
}

func (c *cli) cryptoCommand(ch cryptoChange) *cobra.Command {
	cmd := &cobra.Command{
		Use:   ch.use,
		Short: ch.short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.withJournal(func(svc *journal.Service) error {
				if svc.Encrypted() != ch.needEncrypted {
					return errors.New(ch.wrongState)
				}
				var pass []byte
				if ch.newPassphrase {
					var err error
					if pass, err = c.newPassphrase(); err != nil {
						return err
					}
				}
				if err := ch.apply(svc, pass); err != nil {
					return err
				}
				fmt.Fprintln(c.stdout, ch.done)
				return nil
			})
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
		wrongState: "the journal is already encrypted (samo passphrase changes the passphrase)", newPassphrase: true,
		apply: (*journal.Service).Encrypt, done: "the journal is now encrypted",
	})
}

func (c *cli) decryptCommand() *cobra.Command {
	return c.cryptoCommand(cryptoChange{
		use: "decrypt", short: "Remove a journal's encryption, in place (it needs the passphrase)",
		needEncrypted: true, wrongState: "the journal is not encrypted",
		apply: func(svc *journal.Service, _ []byte) error { return svc.Decrypt() }, done: "the journal is no longer encrypted",
	})
}

func (c *cli) passphraseCommand() *cobra.Command {
	return c.cryptoCommand(cryptoChange{
		use: "passphrase", short: "Change an encrypted journal's passphrase (entries are not re-encrypted; old backups keep the old one)",
		needEncrypted: true, wrongState: "the journal is not encrypted (samo encrypt encrypts it)", newPassphrase: true,
		apply: (*journal.Service).ChangePassphrase, done: "the passphrase is changed",
	})
}

func (c *cli) backupCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent copy of the journal to FILE (encrypted journals stay encrypted)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withJournal(func(svc *journal.Service) error {
				if err := svc.Backup(args[0]); err != nil {
					return err
				}
				n, _ := svc.Count(cmd.Context())
				fmt.Fprintf(c.stdout, "backed up %d %s to %s\n", n, journal.Plural(n, "entry", "entries"), args[0])
				return nil
			})
		},
	}
}

func (c *cli) restoreCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "restore FILE",
		Short: "Replace the journal with a backup (the current one is kept beside it)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path, kept, err := c.restoreJournal(args[0])
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

func (c *cli) doctorCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check the journal, onnxruntime, the speech-detection model and the microphones",
		Long: "doctor reports what SAMO found on this machine and where: the journal and its entry count,\n" +
			"the onnxruntime library and its version, the Silero VAD model, and PortAudio's input devices.\n" +
			"It exits with status 1 when something is missing, after reporting everything.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r := c.engine().Check(cmd.Context(), version, c.checkJournal(cmd.Context()))
			c.addEmotionHealth(cmd.Context(), &r)
			if err := c.output(asJSON, r); err != nil {
				return err
			}
			if !r.OK {
				return exitError(1)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
