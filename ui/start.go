package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/samojournal/samo/journal"
)

// Start shows what the person needs first: a welcome form that creates the
// journal (with or without a passphrase), an unlock form for an encrypted
// journal, or the journal itself. Key derivation takes about half a second,
// so it runs off the UI goroutine with the form showing that it is working.
// Once open, the window shows the journal's screens (see WithScreen).
func Start(app fyne.App, w fyne.Window, o journal.Opener, opts ...Option) *Gate {
	g := &Gate{app: app, window: w, opener: o, opts: opts}
	switch {
	case !o.Exists():
		g.showWelcome()
	default:
		svc, err := o.Open(nil)
		switch {
		case err == nil:
			g.open(svc)
		case o.NeedsPassphrase(err):
			g.showUnlock()
		default:
			g.showProblem(err)
		}
	}
	return g
}

// Gate holds the forms shown before the journal is open.
type Gate struct {
	app    fyne.App
	window fyne.Window
	opener journal.Opener
	opts   []Option

	// shell is the open journal's window, once there is one.
	shell *shell

	pass, repeat *widget.Entry
	protect      *widget.Check
	action       *widget.Button
	message      *widget.Label
	busy         *widget.ProgressBarInfinite

	// settled, when set, is called on the UI goroutine after each piece of
	// background work has shown its result (tests wait on it).
	settled func()
}

func (g *Gate) open(svc *journal.Service) {
	g.shell = newShell(g.app, g.window, g.opener, svc, g.opts...)
}

// Opened reports whether the journal is open in the window (false while
// the welcome or unlock form shows, or a problem).
func (g *Gate) Opened() bool { return g.shell != nil }

func (g *Gate) form(title, intro string, fields fyne.CanvasObject, action *widget.Button) {
	heading := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	text := widget.NewLabel(intro)
	text.Wrapping = fyne.TextWrapWord
	g.message = widget.NewLabel("")
	g.message.Wrapping = fyne.TextWrapWord
	g.message.Importance = widget.DangerImportance
	g.busy = widget.NewProgressBarInfinite()
	g.busy.Hide()
	g.action = action
	action.Importance = widget.HighImportance
	box := container.NewVBox(heading, text, fields, action, g.busy, g.message)
	g.window.SetContent(container.NewCenter(container.NewGridWrap(fyne.NewSize(440, 420), box)))
}

func (g *Gate) showWelcome() {
	g.pass = widget.NewPasswordEntry()
	g.pass.SetPlaceHolder("Passphrase")
	g.repeat = widget.NewPasswordEntry()
	g.repeat.SetPlaceHolder("The passphrase again")
	g.protect = widget.NewCheck("Protect my journal with a passphrase", func(on bool) {
		if on {
			g.pass.Enable()
			g.repeat.Enable()
		} else {
			g.pass.Disable()
			g.repeat.Disable()
		}
	})
	g.protect.SetChecked(true)
	g.form("Welcome to SAMO",
		"Your journal stays on this computer. With a passphrase, everything in it is encrypted: "+
			"without the passphrase nobody can read it, and nobody, SAMO included, can recover it if it is forgotten.",
		container.NewVBox(g.protect, g.pass, g.repeat),
		widget.NewButton("Create my journal", g.onCreate))
	g.pass.OnSubmitted = func(string) { g.window.Canvas().Focus(g.repeat) }
	g.repeat.OnSubmitted = func(string) { g.onCreate() }
}

func (g *Gate) onCreate() {
	var pass []byte
	if g.protect.Checked {
		if g.pass.Text == "" {
			g.message.SetText("Choose a passphrase, or untick the box for a journal without one.")
			return
		}
		if g.pass.Text != g.repeat.Text {
			g.message.SetText("The two passphrases differ.")
			return
		}
		pass = []byte(g.pass.Text)
	}
	g.work(func() (*journal.Service, error) { return g.opener.Create(pass) }, "Could not create the journal: ")
}

func (g *Gate) showUnlock() {
	g.pass = widget.NewPasswordEntry()
	g.pass.SetPlaceHolder("Passphrase")
	g.pass.OnSubmitted = func(string) { g.onUnlock() }
	g.form("Your journal is locked", "Enter your passphrase to open it.", g.pass, widget.NewButton("Unlock", g.onUnlock))
	g.window.Canvas().Focus(g.pass)
}

func (g *Gate) onUnlock() {
	pass := []byte(g.pass.Text)
	if len(pass) == 0 {
		g.message.SetText("Enter your passphrase.")
		return
	}
	g.work(func() (*journal.Service, error) { return g.opener.Open(pass) }, "")
}

// work runs f off the UI goroutine, showing progress, then opens the
// journal or says what went wrong, keeping the form as it was.
func (g *Gate) work(f func() (*journal.Service, error), prefix string) {
	g.action.Disable()
	g.busy.Show()
	g.message.SetText("")
	go func() {
		svc, err := f()
		fyne.Do(func() {
			g.busy.Hide()
			g.action.Enable()
			switch {
			case err == nil:
				g.open(svc)
			case g.opener.NeedsPassphrase(err):
				g.message.SetText("That passphrase does not unlock the journal.")
				if g.pass != nil {
					g.pass.SetText("")
				}
			default:
				g.message.SetText(prefix + err.Error())
			}
			if g.settled != nil {
				g.settled()
			}
		})
	}()
}

func (g *Gate) showProblem(err error) {
	msg := widget.NewLabel(fmt.Sprintf("SAMO could not open your journal.\n\n%v", err))
	msg.Wrapping = fyne.TextWrapWord
	g.window.SetContent(container.NewPadded(container.NewBorder(nil, widget.NewButton("Quit", g.app.Quit), nil, nil, msg)))
}
