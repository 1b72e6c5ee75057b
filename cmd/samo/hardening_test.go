package main

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/samojournal/samo/journal"
)

// TestCLI_QuietUnderCLocale: a command that succeeds prints nothing on
// standard error under the C locales many containers and CI machines
// default to (Fyne used to report it could not parse "C" before main ran).
func TestCLI_QuietUnderCLocale(t *testing.T) {
	home := t.TempDir()
	for _, lang := range []string{"C.UTF-8", "C", "POSIX", "C.utf8"} {
		env := []string{"LANG=" + lang, "LC_ALL=", "LC_MESSAGES=", "LANGUAGE="}
		for _, args := range [][]string{{"list"}, {"add", "a quiet day"}, {"--version"}} {
			r := mustSucceed(t, samo(t, "", env, append([]string{"--home", home}, args...)...))
			if strings.TrimSpace(r.stderr) != "" {
				t.Errorf("LANG=%s samo %s wrote to stderr:\n%s", lang, strings.Join(args, " "), r.stderr)
			}
		}
	}
}

// TestCLI_UnknownSubcommandIsAnError: `samo emotions frobnicate` is a
// mistake, said as one with a non-zero exit, as `samo frobnicate` is; the
// group alone still shows its help.
func TestCLI_UnknownSubcommandIsAnError(t *testing.T) {
	home := t.TempDir()
	for _, group := range []string{"emotions", "speech", "embeddings"} {
		r := samo(t, "", nil, "--home", home, group, "frobnicate")
		if r.code == 0 || !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
			t.Errorf("samo %s frobnicate: exit %d, stderr %q", group, r.code, r.stderr)
		}
		r = mustSucceed(t, samo(t, "", nil, "--home", home, group))
		if !strings.Contains(r.stdout, "Usage:") {
			t.Errorf("samo %s alone does not show its help: %q", group, r.stdout)
		}
	}
}

// TestCLI_EmptyHomeIsRefused: --home "" names no folder; it must not open
// the per-user journal without a word.
func TestCLI_EmptyHomeIsRefused(t *testing.T) {
	perUser := t.TempDir()
	env := []string{"HOME=" + perUser, "XDG_DATA_HOME=" + perUser}
	for _, home := range []string{"", "  "} {
		r := samo(t, "", env, "--home", home, "add", "where would this go?")
		if r.code == 0 || !strings.Contains(r.stderr, "--home") {
			t.Errorf("--home %q: exit %d, stderr %q", home, r.code, r.stderr)
		}
	}
	if entries, _ := os.ReadDir(perUser); len(entries) != 0 {
		t.Errorf("--home \"\" wrote into the per-user folder: %v", entries)
	}
}

// TestCLI_TagsAreChecked: an empty tag is refused however it is written, a
// tag with a line break or an escape is refused, and the journal keeps only
// what was saved before.
func TestCLI_TagsAreChecked(t *testing.T) {
	home := t.TempDir()
	mustSucceed(t, samo(t, "", nil, "--home", home, "add", "--tag", " walk , walk,river", "kept"))
	for _, tag := range []string{"", ",,,", " ", "a\nb", "bell\x07", "\x1b[31mred"} {
		r := samo(t, "", nil, "--home", home, "add", "--tag", tag, "not kept")
		if r.code == 0 || !strings.Contains(r.stderr, "tag") {
			t.Errorf("--tag %q: exit %d, stderr %q", tag, r.code, r.stderr)
		}
		if strings.ContainsAny(r.stderr, "\x07\x1b") {
			t.Errorf("--tag %q: the error repeats the control character raw: %q", tag, r.stderr)
		}
	}
	var es []journal.Entry
	r := mustSucceed(t, samo(t, "", nil, "--home", home, "list", "--json"))
	if err := json.Unmarshal([]byte(r.stdout), &es); err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || !slices.Equal(es[0].Tags, []string{"walk", "river"}) {
		t.Errorf("journal after refused tags: %+v", es)
	}
}
