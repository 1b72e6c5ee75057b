// Package ui is SAMO's desktop interface in Fyne. It talks to the journal
// only through journal.Opener (to open or create it) and journal.Service
// (everything else); the app and window are passed down, never looked up
// globally.
//
// Start shows the welcome or unlock form, then the window's shell: a
// narrow navigation rail (Journal · Memory Lane · Insights · Settings)
// beside the screen in use, and a notice bar above it for what the Service
// says a person should know. Each screen is an unexported struct holding
// its widgets, with onXxx handlers. Long work (saving and reading an entry,
// recordings, imports, exports, backups, encryption, models, searches,
// insights) runs off the UI goroutine with its progress shown; goroutines
// touch widgets only through fyne.Do, one result shown at a time.
//
// The Insights screen's charts are the widgets of ui/chart; WriteChart
// draws the same charts to PNG files for samo chart.
//
// Recording goes through the Voice interface: NewMicrophone (microphone.go)
// is the real one, over the audio package; tests use an in-memory Voice.
package ui

import (
	"context"
	"fmt"
	"image/color"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/samojournal/samo/journal"
)

// The screens the window can open on (see WithScreen).
const (
	ScreenJournal  = "journal"
	ScreenLane     = "lane" // Memory Lane
	ScreenInsights = "insights"
	ScreenSettings = "settings"
)

// ScreenNames are the names WithScreen knows, in the rail's order.
func ScreenNames() []string {
	return []string{ScreenJournal, ScreenLane, ScreenInsights, ScreenSettings}
}

// Option configures the window.
type Option func(*options)

type options struct {
	voice  Voice
	screen string
}

// WithVoice lets the person record entries, and choose and test their
// microphone in the settings.
func WithVoice(v Voice) Option { return func(o *options) { o.voice = v } }

// WithScreen opens the window on the named screen (see ScreenNames); an
// unknown name opens the journal, with a notice saying so.
func WithScreen(name string) Option { return func(o *options) { o.screen = name } }

// Keyboard shortcuts (Ctrl, or ⌘ on macOS): they work on the window and in
// the editor alike.
var (
	newShortcut    = shortcut(fyne.KeyN)
	recordShortcut = shortcut(fyne.KeyR) // starts a recording, and stops and saves it
	// dictateShortcut (dictate.go) starts and stops a dictation into the editor
	saveShortcut     = shortcut(fyne.KeyS)
	settingsShortcut = shortcut(fyne.KeyComma)
	journalShortcut  = shortcut(fyne.Key1)
	laneShortcut     = shortcut(fyne.Key2)
	findShortcut     = shortcut(fyne.KeyF) // the same as laneShortcut, as people know it
	insightsShortcut = shortcut(fyne.Key3)
)

func shortcut(k fyne.KeyName) *desktop.CustomShortcut {
	return &desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault}
}

// keptNotices is how many notices the notice bar shows at once; a new one
// pushes out the oldest.
const keptNotices = 3

// shell is the open journal's window: the navigation rail, the screens and
// the notice bar.
type shell struct {
	app    fyne.App
	window fyne.Window
	opener journal.Opener
	svc    *journal.Service
	opts   options
	now    func() time.Time

	// microphone is the input device recordings use ("" the default).
	microphone string

	journal     *journalScreen
	lane        *laneScreen
	insights    *insightsScreen
	settings    *settingsScreen
	tabs        *container.AppTabs
	journalTab  *container.TabItem
	laneTab     *container.TabItem
	insightsTab *container.TabItem
	settingsTab *container.TabItem
	notices     *fyne.Container
	stopNotices func()

	jobs jobs
	// shows lets one piece of background work show its result at a time.
	// Fyne runs everything given to fyne.Do on its one UI goroutine, where
	// this lock is never contended; its test driver runs it on the
	// caller's goroutine instead, where two screens' results could
	// otherwise be shown at once.
	shows sync.Mutex
	// settled, when set, is called on the UI goroutine after each piece of
	// background work has shown its result (tests wait on it).
	settled func()
}

// newShell builds the window's screens over an open journal, shows the one
// asked for and loads the newest entries.
func newShell(app fyne.App, w fyne.Window, o journal.Opener, svc *journal.Service, opts ...Option) *shell {
	sh := &shell{app: app, window: w, opener: o, svc: svc, now: time.Now}
	for _, opt := range opts {
		opt(&sh.opts)
	}
	st, err := svc.Settings()
	if err != nil {
		svc.Notices().Notify(fmt.Sprintf("Your settings could not be read (%v); SAMO uses its defaults until you change one.", err))
	}
	sh.microphone = st.Microphone
	if st.Theme != "" {
		applyTheme(app, st.Theme)
	}
	if st.WindowWidth > 0 && st.WindowHeight > 0 {
		w.Resize(fyne.NewSize(st.WindowWidth, st.WindowHeight))
	}

	sh.notices = container.NewVBox()
	sh.journal = newJournalScreen(sh)
	sh.lane = newLaneScreen(sh)
	sh.insights = newInsightsScreen(sh)
	sh.settings = newSettingsScreen(sh)
	sh.journalTab = container.NewTabItemWithIcon("Journal", theme.DocumentIcon(), sh.journal.content)
	sh.laneTab = container.NewTabItemWithIcon("Memory Lane", theme.HistoryIcon(), sh.lane.content)
	sh.insightsTab = container.NewTabItemWithIcon("Insights", theme.GridIcon(), sh.insights.content)
	sh.settingsTab = container.NewTabItemWithIcon("Settings", theme.SettingsIcon(), sh.settings.content)
	sh.tabs = container.NewAppTabs(sh.journalTab, sh.laneTab, sh.insightsTab, sh.settingsTab)
	sh.tabs.SetTabLocation(container.TabLocationLeading)
	w.SetContent(container.NewBorder(sh.notices, nil, nil, nil, sh.tabs))
	w.SetCloseIntercept(sh.onClose)
	w.SetMainMenu(fyne.NewMainMenu(fyne.NewMenu("Journal",
		fyne.NewMenuItem("New entry", sh.onNew),
		fyne.NewMenuItem("Save", sh.onSave),
		fyne.NewMenuItem("Memory Lane", sh.onLane),
		fyne.NewMenuItem("Insights", sh.onInsights),
		fyne.NewMenuItem("Settings", sh.onSettings),
		fyne.NewMenuItem("Back up…", sh.settings.onBackup),
	)))
	for _, s := range sh.shortcuts() {
		w.Canvas().AddShortcut(s.key, func(fyne.Shortcut) { s.do() })
	}
	sh.stopNotices = svc.Notices().Listen(func(n journal.Notice) { fyne.Do(func() { sh.showNotice(n) }) })

	sh.journal.reload()
	switch sh.opts.screen {
	case "", ScreenJournal:
		w.Canvas().Focus(sh.journal.editor)
	case ScreenLane:
		sh.tabs.Select(sh.laneTab)
		sh.lane.focusSearch()
	case ScreenInsights:
		sh.tabs.Select(sh.insightsTab)
	case ScreenSettings:
		sh.tabs.Select(sh.settingsTab)
		sh.settings.load()
	default:
		w.Canvas().Focus(sh.journal.editor)
		names := ScreenNames()
		svc.Notices().Notify(fmt.Sprintf("SAMO has no screen called %q (it has %s and %s), so it opened your journal.",
			sh.opts.screen, strings.Join(names[:len(names)-1], ", "), names[len(names)-1]))
	}
	sh.tabs.OnSelected = sh.onTab
	sh.journal.offerUnfinished()
	switch sh.tabs.Selected() {
	case sh.laneTab:
		sh.lane.show() // last: its reading starts work in the background
	case sh.insightsTab:
		sh.insights.load()
	default:
		// Memory Lane's index is built now, so that its first visit finds
		// it ready; this touches no widget (a failure shows on the visit).
		go func() { _ = svc.PrepareLane(context.Background(), nil) }()
	}
	return sh
}

type keyed struct {
	key *desktop.CustomShortcut
	do  func()
}

func (sh *shell) shortcuts() []keyed {
	return []keyed{
		{newShortcut, sh.onNew},
		{recordShortcut, sh.onRecord},
		{dictateShortcut, sh.onDictate},
		{saveShortcut, sh.onSave},
		{settingsShortcut, sh.onSettings},
		{journalShortcut, sh.onJournal},
		{laneShortcut, sh.onLane},
		{findShortcut, sh.onLane},
		{insightsShortcut, sh.onInsights},
	}
}

// onShortcut runs the window's shortcut s, if it is one; the editor asks
// it first, as it keeps the shortcuts it is given while it has the focus.
func (sh *shell) onShortcut(s fyne.Shortcut) bool {
	for _, k := range sh.shortcuts() {
		if s.ShortcutName() == k.key.ShortcutName() {
			k.do()
			return true
		}
	}
	return false
}

func (sh *shell) onJournal() {
	if sh.tabs.Selected() != sh.journalTab {
		sh.tabs.Select(sh.journalTab)
		return // onTab focuses the editor
	}
	sh.window.Canvas().Focus(sh.journal.editor)
}

// onLane opens Memory Lane with the keyboard in its search.
func (sh *shell) onLane() {
	if sh.tabs.Selected() != sh.laneTab {
		sh.tabs.Select(sh.laneTab)
		return // onTab focuses the search
	}
	sh.lane.focusSearch()
}

// onInsights opens the Insights screen.
func (sh *shell) onInsights() {
	if sh.tabs.Selected() != sh.insightsTab {
		sh.tabs.Select(sh.insightsTab) // onTab reads the insights
	}
}

// findInLane opens Memory Lane searching for query (a tapped period's
// entries: "-from 2026-03-02 -to 2026-03-08").
func (sh *shell) findInLane(query string) {
	sh.lane.search.SetText(query)
	sh.lane.closeEntry()
	if sh.tabs.Selected() != sh.laneTab {
		sh.tabs.Select(sh.laneTab) // onTab searches
		return
	}
	sh.lane.onSubmitted(query)
}

// openInLane opens Memory Lane on an entry.
func (sh *shell) openInLane(e journal.Entry) {
	if sh.tabs.Selected() != sh.laneTab {
		sh.tabs.Select(sh.laneTab)
	}
	sh.lane.openEntry(e)
}

func (sh *shell) onSettings() {
	if sh.tabs.Selected() != sh.settingsTab {
		sh.tabs.Select(sh.settingsTab) // onTab loads what it shows
	}
}

// onTab prepares the screen just shown.
func (sh *shell) onTab(t *container.TabItem) {
	switch t {
	case sh.journalTab:
		sh.window.Canvas().Focus(sh.journal.editor)
	case sh.laneTab:
		sh.lane.focusSearch()
		sh.lane.show()
	case sh.insightsTab:
		sh.insights.load()
	case sh.settingsTab:
		sh.settings.load()
	}
}

func (sh *shell) onNew() {
	sh.onJournal()
	sh.journal.onNew()
}

func (sh *shell) onRecord() {
	sh.onJournal()
	sh.journal.onRecordKey()
}

// onDictate starts a dictation into the editor, or stops it.
func (sh *shell) onDictate() {
	sh.onJournal()
	sh.journal.dictate.onDictate()
}

func (sh *shell) onSave() {
	if sh.tabs.Selected() == sh.journalTab {
		sh.journal.onSave()
	}
}

// onClose lets the journal screen keep what the person wrote or recorded,
// then remembers the window's size and closes it. While a settings action
// runs (an encryption, a restore) the window stays open.
func (sh *shell) onClose() {
	if sh.settings.task != nil {
		dialog.ShowInformation("SAMO is busy", sh.settings.taskWhat+"\nClose the window once it has finished, or cancel it in the settings.", sh.window)
		return
	}
	sh.journal.onClose()
}

// close remembers the window's size for the next start and closes it.
func (sh *shell) close() {
	size := sh.window.Canvas().Size()
	if size.Width > 0 && size.Height > 0 {
		err := sh.svc.ChangeSettings(func(s *journal.Settings) { s.WindowWidth, s.WindowHeight = size.Width, size.Height })
		if err != nil && err != journal.ErrNoSettings {
			sh.svc.Notices().Notify(fmt.Sprintf("The window's size was not remembered (%v).", err))
		}
	}
	if sh.stopNotices != nil {
		sh.stopNotices()
		sh.stopNotices = nil
	}
	sh.window.Close()
}

// showNotice adds a notice to the bar, with a button that dismisses it;
// the oldest goes when there are too many.
func (sh *shell) showNotice(n journal.Notice) {
	text := widget.NewLabel(n.At.Format("15:04") + "  " + n.Message)
	text.Wrapping = fyne.TextWrapWord
	var row *fyne.Container
	dismiss := widget.NewButtonWithIcon("", theme.WindowCloseIcon(), func() {
		sh.notices.Remove(row)
	})
	dismiss.Importance = widget.LowImportance
	row = container.NewBorder(nil, widget.NewSeparator(), widget.NewIcon(theme.WarningIcon()), dismiss, text)
	sh.notices.Add(row)
	if extra := len(sh.notices.Objects) - keptNotices; extra > 0 {
		sh.notices.Objects = slices.Delete(sh.notices.Objects, 0, extra)
		sh.notices.Refresh()
	}
}

func (sh *shell) settle() {
	if sh.settled != nil {
		sh.settled()
	}
}

// background runs work off the UI goroutine; the function it returns (when
// not nil) shows the result on the UI goroutine, and then settled runs.
func (sh *shell) background(work func() func()) {
	sh.jobs.start()
	go func() {
		defer sh.jobs.done()
		show := work()
		fyne.DoAndWait(func() {
			sh.shows.Lock()
			defer sh.shows.Unlock()
			if show != nil {
				show()
			}
			sh.settle()
		})
	}()
}

// serial runs a screen's background work one piece at a time: each runs
// off the UI goroutine as shell.background does, after the pieces asked
// before it have shown their results, so results show in the order asked
// and never two at once. Use it from the UI goroutine.
type serial struct {
	last chan struct{} // closed once the latest piece has shown its result
}

func (q *serial) run(sh *shell, work func() func()) {
	prev, done := q.last, make(chan struct{})
	q.last = done
	sh.background(func() func() {
		if prev != nil {
			<-prev
		}
		show := work()
		return func() {
			defer close(done)
			if show != nil {
				show()
			}
		}
	})
}

// jobs counts the background work under way, so that tests can wait until
// there is none.
type jobs struct {
	mu   sync.Mutex
	n    int
	idle []chan struct{}
}

func (j *jobs) start() {
	j.mu.Lock()
	j.n++
	j.mu.Unlock()
}

func (j *jobs) done() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.n--
	if j.n == 0 {
		for _, c := range j.idle {
			close(c)
		}
		j.idle = nil
	}
}

// wait returns a channel closed once no work is under way.
func (j *jobs) wait() <-chan struct{} {
	j.mu.Lock()
	defer j.mu.Unlock()
	c := make(chan struct{})
	if j.n == 0 {
		close(c)
	} else {
		j.idle = append(j.idle, c)
	}
	return c
}

// Themes a person can choose (journal.Settings.Theme): "" follows the system.
const (
	themeLight  = "light"
	themeDark   = "dark"
	themeSystem = ""
)

// applyTheme shows the app in the light or dark variant of Fyne's theme,
// or as the system has it.
func applyTheme(app fyne.App, name string) {
	switch name {
	case themeLight:
		app.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantLight})
	case themeDark:
		app.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantDark})
	default:
		app.Settings().SetTheme(theme.DefaultTheme())
	}
}

// variantTheme is a theme held to one variant, whatever the system's.
type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.variant)
}
