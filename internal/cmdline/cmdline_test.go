package cmdline

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// tree is a root with a group (two subcommands) and a leaf, and a
// persistent --home flag checked by RefuseEmpty.
func tree(ran *[]string) *cobra.Command {
	root := &cobra.Command{Use: "app", SilenceErrors: true, SilenceUsage: true, PersistentPreRunE: RefuseEmpty("home")}
	var home string
	root.PersistentFlags().StringVar(&home, "home", "", "folder")
	leaf := func(name string) *cobra.Command {
		return &cobra.Command{Use: name, RunE: func(*cobra.Command, []string) error { *ran = append(*ran, name); return nil }}
	}
	group := &cobra.Command{Use: "group", Short: "a group"}
	group.AddCommand(leaf("one"), leaf("two"))
	root.AddCommand(group, leaf("leaf"))
	RefuseUnknownSubcommands(root)
	return root
}

func run(args ...string) (ran []string, out string, err error) {
	root := tree(&ran)
	var b bytes.Buffer
	root.SetOut(&b)
	root.SetErr(&b)
	root.SetArgs(args)
	err = root.Execute()
	return ran, b.String(), err
}

func TestRefuseUnknownSubcommands(t *testing.T) {
	if _, _, err := run("group", "frobnicate"); err == nil || !strings.Contains(err.Error(), `unknown command "frobnicate" for "app group"`) {
		t.Errorf("unknown subcommand: err = %v", err)
	}
	if ran, _, err := run("group", "two"); err != nil || len(ran) != 1 || ran[0] != "two" {
		t.Errorf("a known subcommand: ran %v, %v", ran, err)
	}
	if _, out, err := run("group"); err != nil || !strings.Contains(out, "Usage:") {
		t.Errorf("the group alone: %v, output %q", err, out)
	}
}

func TestRefuseEmpty(t *testing.T) {
	for _, v := range []string{"", "  "} {
		if ran, _, err := run("--home", v, "leaf"); err == nil || !strings.Contains(err.Error(), "--home") || len(ran) != 0 {
			t.Errorf("--home %q: ran %v, err %v", v, ran, err)
		}
	}
	if ran, _, err := run("leaf"); err != nil || len(ran) != 1 {
		t.Errorf("no --home: ran %v, %v", ran, err)
	}
	if ran, _, err := run("leaf", "--home", "/tmp/x"); err != nil || len(ran) != 1 {
		t.Errorf("--home given: ran %v, %v", ran, err)
	}
}
