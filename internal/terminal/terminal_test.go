package terminal

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDrawingNeedsATerminal(t *testing.T) {
	var b bytes.Buffer
	if Meter(&b) != nil || Progress(&b, "x", 1) != nil || Is(&b) {
		t.Error("a buffer was taken for a terminal")
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if Is(f) || Meter(f) != nil {
		t.Error("a plain file was taken for a terminal")
	}
	if _, err := ReadPassword(strings.NewReader("secret\n"), &b, "Passphrase: "); err == nil {
		t.Error("a passphrase was read without a terminal")
	}
}

func TestReadPassFile(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		content, want string
		ok            bool
	}{
		{"correct horse\n", "correct horse", true},
		{"with spaces  \r\n", "with spaces  ", true},
		{"\n", "", false},
	} {
		p := filepath.Join(dir, "pass")
		os.WriteFile(p, []byte(tc.content), 0o600)
		got, err := ReadPassFile(p)
		if (err == nil) != tc.ok || string(got) != tc.want {
			t.Errorf("%q: %q, %v", tc.content, got, err)
		}
	}
	if _, err := ReadPassFile(filepath.Join(dir, "none")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
}

func TestPassphrase_FileThenEnvironment(t *testing.T) {
	file := filepath.Join(t.TempDir(), "pass")
	os.WriteFile(file, []byte("from the file\n"), 0o600)
	t.Setenv("SAMO_TEST_PASS", "from the environment")
	for _, tc := range []struct{ file, env, want string }{
		{file, "SAMO_TEST_PASS", "from the file"},
		{"", "SAMO_TEST_PASS", "from the environment"},
		{"", "SAMO_TEST_UNSET", ""},
	} {
		if got, err := Passphrase(tc.file, tc.env); err != nil || string(got) != tc.want {
			t.Errorf("Passphrase(%q, %q) = %q, %v; want %q", tc.file, tc.env, got, err, tc.want)
		}
	}
}

func TestEscaping(t *testing.T) {
	cases := map[string]string{
		"plain text, é and 日本":            "plain text, é and 日本",
		"two\nlines\tand a tab\r\n":       "two\nlines\tand a tab\r\n",
		"\x1b[2J\x1b]0;pwned\x07":         "^[[2J^[]0;pwned^G",
		"over\rwrite":                     "over^Mwrite",
		"del\x7f nul\x00":                 "del^? nul^@",
		"c1 \u009b31m next line \u0085 x": "c1 <U+009B>31m next line <U+0085> x",
	}
	for in, want := range cases {
		var b bytes.Buffer
		n, err := Escaping(&b).Write([]byte(in))
		if err != nil || n != len(in) {
			t.Errorf("Write(%q) = %d, %v", in, n, err)
		}
		if b.String() != want {
			t.Errorf("Escaping(%q) = %q, want %q", in, b.String(), want)
		}
	}
}
