package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/samojournal/samo/inference/whisper/whispertest"
)

// stallSample is one line of the window's stall report (built with
// -tags stallprobe): the event loop answered a tick stall ms late, at ms
// since the probe started.
type stallSample struct {
	At    float64 `json:"at_ms"`
	Stall float64 `json:"stall_ms"`
}

// stallProbeBinary builds samo with the event-loop probe.
func stallProbeBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "samo-probe")
	if out, err := exec.Command("go", "build", "-tags", "migrated_fynedo,stallprobe", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build with the probe: %v\n%s", err, out)
	}
	return bin
}

// longestStall reads the report and returns the longest stall in
// [from, to) (ms since the probe started) and the report's last time.
func longestStall(t *testing.T, path string, from, to float64) (longest, last float64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var s stallSample
		if json.Unmarshal(sc.Bytes(), &s) != nil {
			continue
		}
		// a stall is reported when the late tick returns: it covers
		// [At-Stall, At)
		if s.At > from && s.At-s.Stall < to {
			longest = max(longest, s.Stall)
		}
		last = max(last, s.At)
	}
	return longest, last
}

// TestGUI_EventLoopStalls measures (does not assert) the longest stall of
// the real window's event loop while it saves a 5 MB text (pasted into the
// editor, then Ctrl+S) and while it transcribes a 60 s recording with the
// random-weight whisper-base model. It runs with SAMO_STALLS set (make
// stalls), which appends the figures to that file.
func TestGUI_EventLoopStalls(t *testing.T) {
	report := os.Getenv("SAMO_STALLS")
	if report == "" {
		t.Skip("set SAMO_STALLS=FILE (make stalls) to measure the window's event loop")
	}
	needTools(t, "Xvfb", "xdotool", "xclip", "espeak-ng")
	bin := stallProbeBinary(t)
	display := startXvfb(t)
	var lines []string

	// Saving a 5 MB text.
	home := t.TempDir()
	mustSucceed(t, samo(t, "", nil, "--home", home, "init"))
	probe := filepath.Join(t.TempDir(), "stalls.jsonl")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	window, x, out := runProbed(t, ctx, bin, display, probe, nil, "--home", home)
	text := strings.Repeat("A long walk by the river, and I felt calm and grateful for the quiet. ", 5<<20/70)
	clip := exec.CommandContext(ctx, "xclip", "-selection", "clipboard", "-i")
	clip.Env = append(os.Environ(), "DISPLAY="+display)
	clip.Stdin = strings.NewReader(text)
	if err := clip.Run(); err != nil {
		t.Fatalf("xclip: %v", err)
	}
	x("windowfocus", "--sync", window)
	x("mousemove", "--window", window, "600", "300", "click", "1")
	_, p0 := longestStall(t, probe, 0, 0)
	x("key", "--clearmodifiers", "ctrl+v")
	time.Sleep(20 * time.Second) // the paste and its layout
	_, p1 := longestStall(t, probe, 0, 0)
	x("key", "--clearmodifiers", "ctrl+s")
	time.Sleep(30 * time.Second) // the save, with the emotion model on 5 MB
	_, p2 := longestStall(t, probe, 0, 0)
	paste, _ := longestStall(t, probe, p0, p1)
	save, _ := longestStall(t, probe, p1, p2+1)
	cancel()
	lines = append(lines, fmt.Sprintf("| saving a 5 MB text (Ctrl+S, emotion model included) | %.0f ms |", save),
		fmt.Sprintf("| pasting the 5 MB text into the editor (Fyne's text layout) | %.0f ms |", paste))
	t.Logf("5 MB: paste %.0f ms, save %.0f ms; samo said:\n%s", paste, save, out.String())

	// Transcribing 60 s of speech with the random-weight whisper-base model.
	home = t.TempDir()
	model := filepath.Join(t.TempDir(), "whisper-base-random")
	if err := whispertest.WriteRandom(model, whispertest.Base()); err != nil {
		t.Fatal(err)
	}
	mustSucceed(t, samo(t, "", nil, "--home", home, "init"))
	mustSucceed(t, samo(t, "", nil, "--home", home, "speech", "install", model))
	env, _ := virtualMic(t, strings.Repeat("Today I walked by the river and thought about the year. ", 12))
	env = append(env, "SAMO_MAX_RECORDING=60s")
	probe = filepath.Join(t.TempDir(), "stalls.jsonl")
	ctx, cancel = context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	window, x, out = runProbed(t, ctx, bin, display, probe, env, "--home", home)
	x("windowfocus", "--sync", window)
	_, r0 := longestStall(t, probe, 0, 0)
	x("key", "--clearmodifiers", "ctrl+r")
	start := time.Now()
	for time.Since(start) < 6*time.Minute {
		time.Sleep(time.Second)
		if left, _ := filepath.Glob(filepath.Join(home, "recordings", "*.wav")); len(left) == 0 && time.Since(start) > 5*time.Second {
			break
		}
	}
	took := time.Since(start)
	time.Sleep(2 * time.Second)
	_, r1 := longestStall(t, probe, 0, 0)
	rec, _ := longestStall(t, probe, r0, r1+1)
	cancel()
	lines = append(lines, fmt.Sprintf("| recording and transcribing 60 s of speech (random-weight whisper-base, fp32; %.0f s in all) | %.0f ms |", took.Seconds(), rec))
	t.Logf("60 s transcription: %.0f ms longest stall over %v; samo said:\n%s", rec, took, out.String())

	f, err := os.OpenFile(report, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fmt.Fprintln(f, strings.Join(lines, "\n"))
}

// runProbed starts the probed binary in the display, writing its stall
// report to probe, and waits for its window; x runs xdotool there.
func runProbed(t *testing.T, ctx context.Context, bin, display, probe string, env []string, args ...string) (window string, x func(...string) ([]byte, error), out *bytes.Buffer) {
	t.Helper()
	window, _, out = startBinaryWindow(t, ctx, bin, display, append(env, "SAMO_STALL_REPORT="+probe), args...)
	time.Sleep(time.Second) // the first layout
	x = func(a ...string) ([]byte, error) {
		c := exec.CommandContext(ctx, "xdotool", a...)
		c.Env = append(os.Environ(), "DISPLAY="+display)
		return c.Output()
	}
	return window, x, out
}
