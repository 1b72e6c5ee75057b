// Package terminal draws SAMO's command line for a person at a terminal: a
// level meter while recording, a progress line for long work, and
// passphrases asked without echo or read from a file. Where the stream is
// not a terminal the drawing functions return nil and nothing is drawn.
package terminal

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// Is reports whether s (an io.Reader or io.Writer) is a terminal.
func Is(s any) bool {
	f, ok := s.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Meter returns a callback drawing a level bar (peak in [0,1]) and the time
// recorded on w, or nil when w is not a terminal.
func Meter(w io.Writer) func(peak float32, elapsed time.Duration) {
	if !Is(w) {
		return nil
	}
	return func(peak float32, elapsed time.Duration) {
		const width = 30
		n := int(min(max(peak, 0), 1) * width)
		s := int(elapsed.Seconds())
		fmt.Fprintf(w, "\r● %02d:%02d %s%s", s/60, s%60, strings.Repeat("▮", n), strings.Repeat("▯", width-n))
	}
}

// Progress returns a callback drawing "what: done/total" on w, or nil when
// w is not a terminal. Counts arrive in units of 1/per of what is shown
// (per 1000 for milliseconds shown as seconds).
func Progress(w io.Writer, what string, per int) func(done, total int) {
	if !Is(w) {
		return nil
	}
	return func(done, total int) {
		fmt.Fprintf(w, "\r%s: %d/%d", what, done/per, total/per)
		if done == total {
			fmt.Fprintln(w)
		}
	}
}

// ReadPassword asks question on out and reads a line from the terminal in
// without echoing it.
func ReadPassword(in io.Reader, out io.Writer, question string) ([]byte, error) {
	f, ok := in.(*os.File)
	if !ok {
		return nil, fmt.Errorf("terminal: read passphrase: not a terminal")
	}
	fmt.Fprint(out, question)
	p, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(out)
	if err != nil {
		return nil, fmt.Errorf("terminal: read passphrase: %w", err)
	}
	return p, nil
}

// Passphrase returns the passphrase in file (see ReadPassFile) when file
// is not empty, else the environment variable env's value, else nil.
func Passphrase(file, env string) ([]byte, error) {
	if file != "" {
		return ReadPassFile(file)
	}
	if p := os.Getenv(env); p != "" {
		return []byte(p), nil
	}
	return nil, nil
}

// ReadPassFile reads a passphrase from a file: its first line, without the
// line ending; an empty one is refused.
func ReadPassFile(path string) ([]byte, error) {
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

// Errors NewPassword returns.
var (
	ErrEmptyPassword   = errors.New("the passphrase is empty; nothing was changed")
	ErrPasswordsDiffer = errors.New("the two passphrases differ; nothing was changed")
)

// NewPassword asks for a new passphrase twice at the terminal in, without
// echo; an empty one or two that differ are refused.
func NewPassword(in io.Reader, out io.Writer) ([]byte, error) {
	p, err := ReadPassword(in, out, "New passphrase: ")
	if err != nil {
		return nil, err
	}
	if len(p) == 0 {
		return nil, ErrEmptyPassword
	}
	again, err := ReadPassword(in, out, "Repeat it: ")
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(p, again) {
		return nil, ErrPasswordsDiffer
	}
	return p, nil
}

// Escaping returns a writer that shows control characters written through it
// instead of passing them to w: a text that holds terminal escape sequences
// (an imported entry, a tag) cannot move the cursor, change colours, retitle
// the window or ring the bell. Line breaks and tabs pass; other C0 controls
// (a carriage return but before a line break) and DEL are shown in caret
// notation (ESC as ^[), C1 controls as <U+0085>.
func Escaping(w io.Writer) io.Writer { return escaping{w} }

type escaping struct{ w io.Writer }

func (e escaping) Write(p []byte) (int, error) {
	var b []byte
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == '\n' || c == '\t' || c == '\r' && i+1 < len(p) && p[i+1] == '\n':
			b = append(b, c)
		case c < 0x20:
			b = append(b, '^', c+'@')
		case c == 0x7f:
			b = append(b, '^', '?')
		case c == 0xc2 && i+1 < len(p) && p[i+1] >= 0x80 && p[i+1] <= 0x9f:
			b = fmt.Appendf(b, "<U+%04X>", p[i+1])
			i += 2
			continue
		default:
			b = append(b, c)
		}
		i++
	}
	if _, err := e.w.Write(b); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Output is a command's standard output: on a terminal it shows control
// characters instead of obeying them (see Escaping), and it remembers the
// first write error (a full disk, /dev/full, a closed pipe) for Err, so
// that a command whose output was lost does not exit 0.
type Output struct {
	w   io.Writer
	err error
}

// NewOutput wraps w, escaping control characters when w is a terminal.
func NewOutput(w io.Writer) *Output {
	if Is(w) {
		w = Escaping(w)
	}
	return &Output{w: w}
}

// Write writes p, or returns the first error again.
func (o *Output) Write(p []byte) (int, error) {
	if o.err != nil {
		return 0, o.err
	}
	n, err := o.w.Write(p)
	o.err = err
	return n, err
}

// Err is the first write error, nil when every write went through.
func (o *Output) Err() error { return o.err }

// Status returns a callback drawing a changing status on w: at a terminal
// one line redrawn in place (ended when final), elsewhere a line only when
// it is a milestone, so that a log keeps the steps and not every redraw.
func Status(w io.Writer) func(line string, milestone, final bool) {
	tty := Is(w)
	return func(line string, milestone, final bool) {
		switch {
		case tty:
			fmt.Fprintf(w, "\r\x1b[K%s", line)
			if final {
				fmt.Fprintln(w)
			}
		case milestone || final:
			fmt.Fprintln(w, line)
		}
	}
}

// Live returns a callback drawing text that settles as it comes (live
// dictation): at a terminal one line redrawn, the end of the settled text
// then the partial text dimmed; elsewhere a line "heard: …" each time the
// settled text grows.
func Live(w io.Writer) func(settled, partial string, final bool) {
	tty := Is(w)
	last := ""
	return func(settled, partial string, final bool) {
		if !tty {
			if settled != last {
				fmt.Fprintf(w, "heard: %s\n", settled)
				last = settled
			}
			return
		}
		const width = 78
		s, p := []rune(settled), []rune(partial)
		cut := max(0, len(s)+len(p)-width)
		fmt.Fprintf(w, "\r\x1b[K%s\x1b[2m%s\x1b[0m", string(s[min(cut, len(s)):]), string(p[max(0, cut-len(s)):]))
		if final {
			fmt.Fprintln(w)
		}
	}
}
