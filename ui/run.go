package ui

import (
	"errors"
	"os"
	"runtime"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/samojournal/samo/assets"
	"github.com/samojournal/samo/journal"
)

// AppID is SAMO's application id (also in FyneApp.toml).
const AppID = "app.samo.journal"

// ErrNoDisplay means there is no display to open the window on.
var ErrNoDisplay = errors.New("no display to open the journal window on (neither DISPLAY nor WAYLAND_DISPLAY is set); " +
	"run SAMO in a desktop session, or use the commands: samo --help")

// Run opens SAMO's window on the journal o opens (see Start) and returns
// when the window is closed.
func Run(o journal.Opener, opts ...Option) error {
	if runtime.GOOS == "linux" && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return ErrNoDisplay
	}
	a := app.NewWithID(AppID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.IconPNG))
	w := a.NewWindow("SAMO")
	w.Resize(fyne.NewSize(980, 640))
	Start(a, w, o, opts...)
	startStallProbe()
	w.ShowAndRun()
	return nil
}
