package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/samojournal/samo/ui"
)

// needTools skips the test when a tool is missing, unless SAMO_REQUIRE_GUI
// is set (make test sets it), where a missing tool is a failure.
func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("SAMO_REQUIRE_GUI") != "" {
				t.Fatalf("%s is needed for the real-window test (make deps installs it): %v", tool, err)
			}
			t.Skipf("%s not installed; run make test for the real-window test", tool)
		}
	}
}

// startXvfb starts a virtual X server on a free display and returns its name.
func startXvfb(t *testing.T) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	x := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	x.ExtraFiles = []*os.File{w}
	var xerr bytes.Buffer
	x.Stderr = &xerr
	if err := x.Start(); err != nil {
		t.Fatalf("start Xvfb: %v", err)
	}
	w.Close()
	// SIGTERM, not SIGKILL: Xvfb then removes its lock file and socket, and
	// the next test's server does not meet them
	t.Cleanup(func() { x.Process.Signal(syscall.SIGTERM); x.Wait() })
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		got <- strings.TrimSpace(line)
	}()
	var display string
	select {
	case n := <-got:
		if n == "" {
			t.Fatalf("Xvfb gave no display number: %s", xerr.String())
		}
		display = ":" + n
	case <-time.After(30 * time.Second):
		t.Fatalf("Xvfb did not start: %s", xerr.String())
	}
	// the display answers a client before the test's app is started on it
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		c := exec.Command("xdotool", "getdisplaygeometry")
		c.Env = append(os.Environ(), "DISPLAY="+display)
		out, err := c.CombinedOutput()
		if err == nil {
			return display
		}
		if time.Now().After(deadline) {
			t.Fatalf("Xvfb's display %s does not answer: %v %s; Xvfb said: %s", display, err, out, xerr.String())
		}
	}
}

// rendered reports whether a screenshot shows a drawn window rather than a
// blank or black frame: several distinct colours, no single colour covering
// almost everything, and not dark throughout.
func rendered(img image.Image) (bool, string) {
	b := img.Bounds()
	counts := map[uint32]int{}
	var lum float64
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			counts[(r>>8)<<16|(g>>8)<<8|bl>>8]++
			lum += 0.2126*float64(r>>8) + 0.7152*float64(g>>8) + 0.0722*float64(bl>>8)
		}
	}
	total := b.Dx() * b.Dy()
	top := 0
	for _, n := range counts {
		top = max(top, n)
	}
	mean := lum / float64(total)
	desc := fmt.Sprintf("%d colours, the commonest covers %d%%, mean luma %.0f", len(counts), 100*top/total, mean)
	return len(counts) >= 16 && float64(top)/float64(total) < 0.95 && mean > 8, desc
}

// TestGUI_WindowRendersUnderXvfb starts the real binary in a virtual X
// server, takes a screenshot of its window and checks that it was drawn.
// Set SAMO_SCREENSHOT to a path to keep the picture.
func TestGUI_WindowRendersUnderXvfb(t *testing.T) {
	needTools(t, "Xvfb", "xdotool", "import")
	display := startXvfb(t)
	home := t.TempDir()
	mustSucceed(t, samo(t, "", nil, "--home", home, "add", "A long walk by the river. I felt calm."))

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	app := exec.CommandContext(ctx, samoBin, "--home", home)
	app.Env = append(os.Environ(), "DISPLAY="+display, "LANG=en_US.UTF-8", "HOME="+t.TempDir(), "SAMO_HOME=")
	var appErr bytes.Buffer
	app.Stdout, app.Stderr = &appErr, &appErr
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- app.Wait() }()
	defer func() {
		app.Process.Kill()
		<-exited
	}()

	x := func(name string, args ...string) ([]byte, error) {
		c := exec.CommandContext(ctx, name, args...)
		c.Env = append(os.Environ(), "DISPLAY="+display)
		return c.Output()
	}

	var window string
	var shot image.Image
	var desc string
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			t.Fatalf("samo exited early (%v):\n%s", err, appErr.String())
		default:
		}
		if window == "" {
			if out, err := x("xdotool", "search", "--name", "^SAMO$"); err == nil {
				window = strings.Fields(string(out))[0]
			}
		}
		if window != "" {
			out, err := x("import", "-window", window, "png:-")
			if err == nil {
				if img, err := png.Decode(bytes.NewReader(out)); err == nil {
					shot = img
					var ok bool
					if ok, desc = rendered(img); ok {
						break
					}
				}
			}
		}
		time.Sleep(300 * time.Millisecond)
	}
	if window == "" {
		t.Fatalf("no window titled SAMO appeared; samo said:\n%s", appErr.String())
	}
	if shot == nil {
		t.Fatalf("could not capture window %s", window)
	}
	if p := os.Getenv("SAMO_SCREENSHOT"); p != "" {
		saveShot(t, p, shot)
	} else {
		saveShot(t, filepath.Join(t.TempDir(), "window.png"), shot)
	}
	if ok, _ := rendered(shot); !ok {
		t.Fatalf("the window looks blank (%s); samo said:\n%s", desc, appErr.String())
	}
	if b := shot.Bounds(); b.Dx() < 600 || b.Dy() < 400 {
		t.Errorf("window is %dx%d, want at least 600x400", b.Dx(), b.Dy())
	}
	t.Logf("window %s rendered: %s", window, desc)

	// Open the entry (a click on its row in the list): its emotions are
	// drawn beside the editor as bars in their group's colour, far more of
	// that colour than the list's chip text. Caring is the built-in
	// model's reading of the entry, in joy's hue.
	before := hue(shot, joyHue)
	if out, err := x("xdotool", "mousemove", "--window", window, "150", "150", "click", "1"); err != nil {
		t.Fatalf("xdotool click: %v %s", err, out)
	}
	var entry image.Image
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
		out, err := x("import", "-window", window, "png:-")
		if err != nil {
			continue
		}
		if img, err := png.Decode(bytes.NewReader(out)); err == nil {
			entry = img
			if hue(img, joyHue) > before+300 {
				break
			}
		}
	}
	if entry == nil {
		t.Fatalf("could not capture window %s after opening the entry", window)
	}
	if p := os.Getenv("SAMO_SCREENSHOT_ENTRY"); p != "" {
		saveShot(t, p, entry)
	}
	if after := hue(entry, joyHue); after <= before+300 {
		t.Fatalf("the open entry shows no emotion bars: %d pixels of joy's hue, %d before opening it; samo said:\n%s", after, before, appErr.String())
	}
}

// joyHue is joy's colour in the window (ui's Okabe–Ito orange).
var joyHue = [3]uint8{0xE6, 0x9F, 0x00}

// hue counts the pixels of img in colour c.
func hue(img image.Image, c [3]uint8) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if uint8(r>>8) == c[0] && uint8(g>>8) == c[1] && uint8(bl>>8) == c[2] {
				n++
			}
		}
	}
	return n
}

func saveShot(t *testing.T, path string, img image.Image) {
	f, err := os.Create(path)
	if err != nil {
		t.Errorf("save screenshot: %v", err)
		return
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Errorf("save screenshot: %v", err)
	}
}

// TestGUI_RecordInTheRealWindow records an entry in the real window under
// Xvfb with the keyboard (Ctrl+R), from the virtual microphone. That
// microphone is not paced in real time, so the recording reaches the
// length limit (SAMO_MAX_RECORDING) at once, and the window saves it by
// itself: the test then checks what the journal holds.
func TestGUI_RecordInTheRealWindow(t *testing.T) {
	needTools(t, "Xvfb", "xdotool", "import", "espeak-ng")
	display := startXvfb(t)
	env, speech := virtualMic(t, "I recorded this entry in the window, and it was saved.")
	home := t.TempDir()
	mustSucceed(t, samo(t, "", nil, "--home", home, "init")) // a plain journal: no welcome screen
	limit := time.Duration(len(speech))*time.Second/16000 + 500*time.Millisecond

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	app := exec.CommandContext(ctx, samoBin, "--home", home)
	app.Env = append(os.Environ(), "DISPLAY="+display, "LANG=en_US.UTF-8", "SAMO_HOME=", "SAMO_MAX_RECORDING="+limit.String())
	app.Env = append(app.Env, env...)
	var appErr bytes.Buffer
	app.Stdout, app.Stderr = &appErr, &appErr
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { app.Wait(); close(exited) }()
	defer func() {
		app.Process.Kill()
		<-exited
	}()
	x := func(args ...string) ([]byte, error) {
		c := exec.CommandContext(ctx, "xdotool", args...)
		c.Env = append(os.Environ(), "DISPLAY="+display)
		return c.Output()
	}
	var window string
	for deadline := time.Now().Add(90 * time.Second); window == "" && time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
		if out, err := x("search", "--name", "^SAMO$"); err == nil {
			window = strings.Fields(string(out))[0]
		}
	}
	if window == "" {
		t.Fatalf("no SAMO window; samo said:\n%s", appErr.String())
	}
	time.Sleep(time.Second) // let the window finish its first layout
	x("windowfocus", "--sync", window)
	if out, err := x("key", "--clearmodifiers", "ctrl+r"); err != nil {
		t.Fatalf("xdotool key: %v %s", err, out)
	}
	// The window saves the recording when it reaches the limit; the
	// journal is written before the window shows the entry.
	var shot image.Image
	pressed := time.Now()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		if time.Since(pressed) < 3*time.Second {
			continue // the file may not even exist yet
		}
		c := exec.CommandContext(ctx, "import", "-window", window, "png:-")
		c.Env = append(os.Environ(), "DISPLAY="+display)
		if out, err := c.Output(); err == nil {
			if img, err := png.Decode(bytes.NewReader(out)); err == nil {
				shot = img
			}
		}
		if left, _ := filepath.Glob(filepath.Join(home, "recordings", "*.wav")); len(left) == 0 && shot != nil {
			if _, err := os.Stat(filepath.Join(home, "recordings")); err == nil {
				break
			}
		}
	}
	if p := os.Getenv("SAMO_SCREENSHOT_RECORDING"); p != "" && shot != nil {
		saveShot(t, p, shot)
	}
	app.Process.Signal(os.Interrupt)
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
	}
	app.Process.Kill()

	es := listJSON(t, nil, home)
	if len(es) != 1 || es[0].Audio == nil || !es[0].AwaitingTranscript() {
		t.Fatalf("journal after recording in the window: %+v\nsamo said:\n%s", es, appErr.String())
	}
	if d := es[0].Audio.Duration; d.Round(10*time.Millisecond) != limit.Round(10*time.Millisecond) {
		t.Errorf("recording of %v, want the %v limit", d, limit)
	}
	r := mustSucceed(t, samo(t, "", nil, "--home", home, "export", "--format", "json"))
	clip := exportedAudio(t, r.stdout)
	if c := correlation(speech, clip.Samples); c < 0.99 {
		t.Errorf("the recording correlates %.4f with the speech", c)
	}
}

// startWindow runs the real binary with args under display and returns its
// window id and a function that captures it; the process ends with the test.
func startWindow(t *testing.T, ctx context.Context, display string, env []string, args ...string) (string, func() image.Image, *bytes.Buffer) {
	t.Helper()
	return startBinaryWindow(t, ctx, samoBin, display, env, args...)
}

// startBinaryWindow is startWindow for the binary bin.
func startBinaryWindow(t *testing.T, ctx context.Context, bin, display string, env []string, args ...string) (string, func() image.Image, *bytes.Buffer) {
	t.Helper()
	app := exec.CommandContext(ctx, bin, args...)
	app.Env = append(append(os.Environ(), "DISPLAY="+display, "LANG=en_US.UTF-8", "SAMO_HOME="), env...)
	out := &bytes.Buffer{}
	app.Stdout, app.Stderr = out, out
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { app.Wait(); close(exited) }()
	t.Cleanup(func() { app.Process.Kill(); <-exited })
	x := func(name string, args ...string) ([]byte, error) {
		c := exec.CommandContext(ctx, name, args...)
		c.Env = append(os.Environ(), "DISPLAY="+display)
		return c.Output()
	}
	var window string
	for deadline := time.Now().Add(90 * time.Second); window == "" && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		select {
		case <-exited:
			t.Fatalf("samo %v exited early:\n%s", args, out.String())
		default:
		}
		if o, err := x("xdotool", "search", "--onlyvisible", "--name", "^SAMO$"); err == nil {
			window = strings.Fields(string(o))[0]
		}
	}
	if window == "" {
		t.Fatalf("no SAMO window for %v; samo said:\n%s", args, out.String())
	}
	capture := func() image.Image {
		o, err := x("import", "-window", window, "png:-")
		if err != nil {
			return nil
		}
		img, _ := png.Decode(bytes.NewReader(o))
		return img
	}
	return window, capture, out
}

// TestGUI_EveryScreenUnderXvfb opens the real window on each screen with
// --screen and checks that each is drawn, and drawn differently. With
// SAMO_SCREENSHOTS set to a folder (make screenshots), it saves each as
// screen-NAME.png there.
func TestGUI_EveryScreenUnderXvfb(t *testing.T) {
	needTools(t, "Xvfb", "xdotool", "import")
	display := startXvfb(t)
	home := t.TempDir()
	for _, text := range []string{"A long walk by the river. I felt calm.", "So grateful for the dinner with my sister tonight!", "Nervous about tomorrow's interview."} {
		mustSucceed(t, samo(t, "", nil, "--home", home, "add", text))
	}
	// earlier entries, for Memory Lane's timeline and On This Day
	now := time.Now()
	for _, e := range []struct {
		at   time.Time
		text string
	}{
		{now.AddDate(-1, 0, 0), "Moved into the flat by the canal. Boxes everywhere, but I love the light in the kitchen."},
		{now.AddDate(-2, 0, 0), "Grandad's funeral. I miss him so much; the house is so quiet without his radio."},
		{now.AddDate(0, -1, 0), "The quarterly report is due Friday and my chest feels tight every time I open the spreadsheet."},
		{now.AddDate(0, -2, 3), "Furious at the driver who cut me off on the motorway this morning."},
	} {
		mustSucceed(t, samo(t, "", nil, "--home", home, "add", "--at", e.at.Format("2006-01-02 15:04"), e.text))
	}
	// Insights are shown over a synthetic journal of 300 days with patterns
	moods := moodHome(t, 300)
	shots := map[string]image.Image{}
	for _, screen := range ui.ScreenNames() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		screenHome := home
		if screen == ui.ScreenInsights {
			screenHome = moods
		}
		window, capture, out := startWindow(t, ctx, display, []string{"HOME=" + t.TempDir()}, "--home", screenHome, "--screen", screen)
		var shot image.Image
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
			if shot = capture(); shot != nil {
				if ok, _ := rendered(shot); ok {
					time.Sleep(500 * time.Millisecond) // the last layout pass
					shot = capture()
					break
				}
			}
		}
		if shot != nil && screen == ui.ScreenLane {
			searchShot(t, ctx, display, window, capture, shot)
		}
		cancel()
		waitWindowGone(display, window)
		if shot == nil {
			t.Fatalf("could not capture the %s screen; samo said:\n%s", screen, out.String())
		}
		if ok, desc := rendered(shot); !ok {
			t.Fatalf("the %s screen looks blank (%s); samo said:\n%s", screen, desc, out.String())
		}
		if dir := os.Getenv("SAMO_SCREENSHOTS"); dir != "" {
			saveShot(t, filepath.Join(dir, "screen-"+screen+".png"), shot)
			if screen == ui.ScreenInsights {
				for _, kind := range ui.ChartNames() {
					mustSucceed(t, samo(t, "", nil, "--home", moods, "chart", kind, "--range", "all", "--out", filepath.Join(dir, "chart-"+kind+".png")))
				}
			}
		}
		shots[screen] = shot
	}
	if a, b := shots[ui.ScreenJournal], shots[ui.ScreenSettings]; differingPixels(a, b) < a.Bounds().Dx()*a.Bounds().Dy()/20 {
		t.Errorf("--screen settings draws the same window as --screen journal (%d pixels differ)", differingPixels(a, b))
	}
}

// waitWindowGone waits (up to 10 s) until the window is no longer shown,
// so that the next window started is not mistaken for it.
func waitWindowGone(display, window string) {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		c := exec.Command("xdotool", "search", "--onlyvisible", "--name", "^SAMO$")
		c.Env = append(os.Environ(), "DISPLAY="+display)
		out, _ := c.Output()
		if !slices.Contains(strings.Fields(string(out)), window) {
			return
		}
	}
}

// searchShot types a search into the Memory Lane screen (Ctrl+F, then the
// words) and checks that its results change the window; with
// SAMO_SCREENSHOTS it saves the window as lane-search.png.
func searchShot(t *testing.T, ctx context.Context, display, window string, capture func() image.Image, before image.Image) {
	t.Helper()
	x := func(args ...string) {
		c := exec.CommandContext(ctx, "xdotool", args...)
		c.Env = append(os.Environ(), "DISPLAY="+display)
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("xdotool %v: %v %s", args, err, out)
		}
	}
	x("windowfocus", "--sync", window)
	x("key", "--clearmodifiers", "ctrl+f")
	x("type", "--delay", "20", "stressed about work")
	var shot image.Image
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		if shot = capture(); shot != nil && differingPixels(before, shot) > before.Bounds().Dx()*before.Bounds().Dy()/50 {
			time.Sleep(time.Second) // the last results and layout
			shot = capture()
			break
		}
	}
	if shot == nil || differingPixels(before, shot) <= before.Bounds().Dx()*before.Bounds().Dy()/50 {
		t.Fatal("typing a search into Memory Lane changed nothing in the window")
	}
	if dir := os.Getenv("SAMO_SCREENSHOTS"); dir != "" {
		saveShot(t, filepath.Join(dir, "lane-search.png"), shot)
	}
}

// differingPixels counts the pixels where a and b differ.
func differingPixels(a, b image.Image) int {
	n := 0
	r := a.Bounds().Intersect(b.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				n++
			}
		}
	}
	return n
}
