// Package cmdline holds the command line's guards that concern every
// command rather than one: an unknown subcommand of a command group and a
// flag given an empty value are mistakes, said as such with a non-zero exit.
package cmdline

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// RefuseUnknownSubcommands makes every command group under root (a command
// with subcommands and no work of its own, such as `samo emotions`) refuse
// an unknown subcommand with an error, as cobra's root command does, instead
// of printing its help and exiting 0. The group alone still shows its help.
func RefuseUnknownSubcommands(root *cobra.Command) {
	for _, sub := range root.Commands() {
		RefuseUnknownSubcommands(sub)
	}
	if root.HasParent() && root.HasSubCommands() && !root.Runnable() {
		root.Args = cobra.NoArgs
		root.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	}
}

// RefuseEmpty returns a check, for a PersistentPreRunE, that fails when one
// of the named flags was given an empty or blank value (--home "", often an
// unset shell variable), which would otherwise read as "not given" and
// quietly mean the default.
func RefuseEmpty(names ...string) func(cmd *cobra.Command, args []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		for _, name := range names {
			if f := cmd.Flag(name); f != nil && f.Changed && strings.TrimSpace(f.Value.String()) == "" {
				return fmt.Errorf("--%s %q names nothing: give a value, or leave --%s out for the default", name, f.Value.String(), name)
			}
		}
		return nil
	}
}
