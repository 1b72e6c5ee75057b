package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/samojournal/samo/journal"
)

// personalSection is the part of the settings where SAMO learns from the
// person's corrections: how well the emotion model reads them (its health,
// with what it suggests), the offer to learn from their corrections once
// enough have gathered, and going back to the model's own reading. Nothing
// is learned or re-read without the person asking.
type personalSection struct {
	s      *settingsScreen
	health *widget.Label
	offer  *widget.Label
	learn  *widget.Button
	forget *widget.Button
}

func newPersonalSection(s *settingsScreen) *personalSection {
	p := &personalSection{s: s}
	p.health = widget.NewLabel("")
	p.health.Wrapping = fyne.TextWrapWord
	p.offer = widget.NewLabel("")
	p.offer.Wrapping = fyne.TextWrapWord
	p.offer.TextStyle = fyne.TextStyle{Bold: true}
	p.offer.Hide()
	p.learn = widget.NewButton("Learn from my corrections…", p.onLearn)
	p.forget = widget.NewButton("Forget what was learned", p.onForget)
	p.forget.Importance = widget.LowImportance
	p.forget.Hide()
	return p
}

// content is the section as the Models card shows it.
func (p *personalSection) content() fyne.CanvasObject {
	return container.NewVBox(bold("Learning from you"), p.health, p.offer, container.NewHBox(p.learn, p.forget))
}

// load measures the emotion model's health off the UI goroutine; it
// returns what shows it.
func (p *personalSection) load(ctx context.Context) func() {
	h, err := p.s.svc.EmotionHealth(ctx)
	return func() { p.show(h, err) }
}

// show puts the health on screen, with the offer when enough corrections
// have gathered and no layer learned from them is in use.
func (p *personalSection) show(h journal.Health, err error) {
	if err != nil {
		p.health.SetText(fmt.Sprintf("How well the emotion model reads you could not be measured: %v", err))
		p.learn.Disable()
		return
	}
	p.health.SetText(healthText(h))
	p.forget.Hidden = h.Personal == ""
	p.learn.Importance = widget.MediumImportance
	switch {
	case h.Corrected >= journal.MinCorrections && h.Personal == "":
		p.offer.SetText(fmt.Sprintf("SAMO can learn from %d of your corrections how you mean each feeling: re-read your journal with them?", h.Corrected))
		p.offer.Show()
		p.learn.Importance = widget.HighImportance
	default:
		p.offer.Hide()
	}
	p.learn.Enable()
	p.learn.Refresh()
	p.forget.Refresh()
}

// healthText says the health in a few sentences.
func healthText(h journal.Health) string {
	var b strings.Builder
	fmt.Fprintf(&b, "You have corrected the feelings of %d of %d entries.", h.Corrected, h.Entries)
	if h.Personal != "" {
		b.WriteString(" Emotions are read with what SAMO learned from your corrections.")
	}
	if d := h.Drift; d != nil {
		fmt.Fprintf(&b, " Your entries differ from the texts the model learned from by %.2f (PSI; above %.2f they are said to have shifted).", d.PSI, d.Threshold)
	}
	if h.Latency.Samples > 0 {
		fmt.Fprintf(&b, " Reading an entry takes about %s.", h.Latency.P50.Round(100_000))
	}
	for _, sg := range h.Suggestions {
		b.WriteString("\n• " + sg)
	}
	return b.String()
}

// onLearn measures what learning from the corrections would change, and
// asks before using it.
func (p *personalSection) onLearn() {
	p.s.run("Learning from your corrections…", false, func(ctx context.Context, _ func(int, int)) func() {
		rep, err := p.s.svc.Personalize(ctx, journal.PersonalizeOptions{DryRun: true})
		return func() {
			if err != nil {
				p.s.fail("SAMO could not learn from your corrections", err)
				return
			}
			p.confirm(rep)
		}
	})
}

// confirm shows what a layer would change and, when it helps, asks to use
// it and re-read the journal.
func (p *personalSection) confirm(rep journal.PersonalReport) {
	var b strings.Builder
	rep.WriteText(&b)
	text := strings.TrimSpace(b.String()) // a dry run's report names no command
	if !rep.Helps {
		p.s.say(text, widget.MediumImportance)
		return
	}
	msg := widget.NewLabel(text + "\n\nUse it, and re-read your journal with it? Your corrections stay as they are, and you can go back at any time.")
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm("Learn from your corrections", "Use it and re-read", "Not now", container.NewGridWrap(fyne.NewSize(460, 220), container.NewVScroll(msg)), func(ok bool) {
		if ok {
			p.apply()
		}
	}, p.s.window)
	d.Show()
}

// apply learns and keeps the layer, then re-reads the journal with it.
func (p *personalSection) apply() {
	p.s.run("Learning from your corrections and re-reading your journal…", true, func(ctx context.Context, progress func(int, int)) func() {
		rep, err := p.s.svc.Personalize(ctx, journal.PersonalizeOptions{})
		n := 0
		if err == nil && rep.Applied {
			n, err = p.s.svc.Reanalyze(ctx, false, journal.ReanalyzeProgress(progress))
		}
		h, herr := p.s.svc.EmotionHealth(context.Background()) // also after a Cancel
		return func() {
			if n > 0 {
				p.s.sh.journal.refresh()
			}
			p.show(h, herr)
			switch {
			case err != nil:
				p.s.fail("Learning from your corrections stopped", err)
			case !rep.Applied:
				p.s.say(rep.Reason, widget.MediumImportance)
			default:
				p.s.say(fmt.Sprintf("SAMO now reads emotions the way you mean them, learned from %d corrections; %d %s re-read.",
					rep.Corrections, n, journal.Plural(n, "entry was", "entries were")), widget.SuccessImportance)
			}
		}
	})
}

// onForget goes back to the model's own reading, after asking.
func (p *personalSection) onForget() {
	dialog.ShowConfirm("Forget what was learned", "Read emotions with the model alone again, and re-read your journal? Your corrections stay as they are.", func(ok bool) {
		if ok {
			p.forgetNow()
		}
	}, p.s.window)
}

func (p *personalSection) forgetNow() {
	p.s.run("Going back to the model's own reading…", true, func(ctx context.Context, progress func(int, int)) func() {
		_, err := p.s.svc.ResetPersonal(ctx)
		n := 0
		if err == nil {
			n, err = p.s.svc.Reanalyze(ctx, false, journal.ReanalyzeProgress(progress))
		}
		h, herr := p.s.svc.EmotionHealth(context.Background()) // also after a Cancel
		return func() {
			if n > 0 {
				p.s.sh.journal.refresh()
			}
			p.show(h, herr)
			if err != nil {
				p.s.fail("Going back to the model's own reading stopped", err)
				return
			}
			p.s.say(fmt.Sprintf("Emotions are read by the model alone again; %d %s re-read.", n, journal.Plural(n, "entry was", "entries were")), widget.SuccessImportance)
		}
	})
}
