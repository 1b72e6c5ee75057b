package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/samojournal/samo/inference/whisper/whispertest"
)

// stallSample is one line of the window's stall report (built with
// -tags stallprobe): at At (ms since the Unix epoch) the event loop
// answered a tick Stall ms late; lines come at least every 100 ms while it
// answers.
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

func msNow() float64 { return float64(time.Now().UnixMicro()) / 1000 }

// longestStall reads the report and returns the longest stall between from
// and to (ms since the Unix epoch): the latest answer, or the time since
// the last answer when one is still awaited at to.
func longestStall(t *testing.T, path string, from, to float64) float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	longest, last := 0.0, from
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var s stallSample
		if json.Unmarshal(sc.Bytes(), &s) != nil || s.At < from || s.At-s.Stall > to {
			continue
		}
		longest = max(longest, min(s.At, to)-max(s.At-s.Stall, from))
		last = max(last, s.At)
	}
	return max(longest, to-last-100) // an answer still awaited (less the heartbeat's period)
}

// settle waits 3 s (for what was just asked to start), then until the
// event loop has answered steadily for a second, or limit passes; it
// returns when.
func settle(t *testing.T, path string, limit time.Duration) float64 {
	t.Helper()
	time.Sleep(3 * time.Second)
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		if now := msNow(); longestStall(t, path, now-1000, now) < 200 {
			return now
		}
	}
	return msNow()
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
	p0 := settle(t, probe, 10*time.Second)
	x("key", "--clearmodifiers", "ctrl+v")
	p1 := settle(t, probe, 4*time.Minute) // a paste this long is offered to be saved as it is
	clickPrimary(t, ctx, display, window) // "Save as a new entry"
	p2 := settle(t, probe, 2*time.Minute) // the save, with the emotion model on 5 MB
	time.Sleep(10 * time.Second)          // the reading ends within this on this machine
	p2 = max(p2, settle(t, probe, time.Minute))
	paste, save := longestStall(t, probe, p0, p1), longestStall(t, probe, p1, p2)
	cancel()
	es := listJSON(t, nil, home)
	if len(es) != 1 || len(es[0].Text) < 5<<20*9/10 {
		t.Fatalf("the 5 MB text was not saved from the window (%d entries); samo said:\n%s", len(es), out.String())
	}
	lines = append(lines, fmt.Sprintf("| saving a 5 MB text (pasted, then \"Save as a new entry\"; the emotion model reads it in the background; saved with emotions: %v) | %.0f ms |", es[0].Emotions != nil, save),
		fmt.Sprintf("| pasting that 5 MB text (offered to be saved as it is, not laid out in the editor) | %.0f ms |", paste))
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
	r0 := settle(t, probe, 10*time.Second)
	x("key", "--clearmodifiers", "ctrl+r")
	start := time.Now()
	for time.Since(start) < 6*time.Minute {
		time.Sleep(time.Second)
		if left, _ := filepath.Glob(filepath.Join(home, "recordings", "*.wav")); len(left) == 0 && time.Since(start) > 5*time.Second {
			break
		}
	}
	took := time.Since(start)
	r1 := settle(t, probe, time.Minute)
	rec := longestStall(t, probe, r0, r1)
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

// primaryBlue is the dark theme's primary colour: an important button.
var primaryBlue = [3]uint8{0x29, 0x6F, 0xF6}

// clickPrimary clicks the middle of the undimmed primary-coloured pixels of
// the window: the confirm button of the dialog on top (a dialog dims what
// is under it, the Record button included).
func clickPrimary(t *testing.T, ctx context.Context, display, window string) {
	t.Helper()
	c := exec.CommandContext(ctx, "import", "-window", window, "png:-")
	c.Env = append(os.Environ(), "DISPLAY="+display)
	raw, err := c.Output()
	if err != nil {
		t.Fatalf("capture: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var sx, sy, n int
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for xx := b.Min.X; xx < b.Max.X; xx++ {
			r, g, bl, _ := img.At(xx, y).RGBA()
			if uint8(r>>8) == primaryBlue[0] && uint8(g>>8) == primaryBlue[1] && uint8(bl>>8) == primaryBlue[2] {
				sx, sy, n = sx+xx, sy+y, n+1
			}
		}
	}
	if n < 50 {
		t.Fatalf("no dialog button to click (%d pixels of its colour)", n)
	}
	x := exec.CommandContext(ctx, "xdotool", "mousemove", "--window", window, fmt.Sprint(sx/n), fmt.Sprint(sy/n), "click", "1")
	x.Env = append(os.Environ(), "DISPLAY="+display)
	if out, err := x.CombinedOutput(); err != nil {
		t.Fatalf("click: %v %s", err, out)
	}
}
