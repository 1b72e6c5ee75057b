package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/samojournal/samo/journal"
)

// meaningSection is the part of the settings that chooses the embedding
// model behind Memory Lane's "by meaning" and re-indexes the journal with
// it.
type meaningSection struct {
	s         *settingsScreen
	info      *widget.Label
	install   *widget.Button
	quantized *widget.Check
	builtIn   *widget.Button
	reindex   *widget.Button
}

func newMeaningSection(s *settingsScreen) *meaningSection {
	m := &meaningSection{s: s}
	m.info = widget.NewLabel("")
	m.info.Wrapping = fyne.TextWrapWord
	m.install = widget.NewButton("Install from a folder…", m.onInstall)
	m.quantized = widget.NewCheck("Use the int8 file", nil)
	m.builtIn = widget.NewButton("Use the built-in model", m.useBuiltIn)
	// entries embedded by another model are embedded again with the one in
	// use; offered strongly after a model change
	m.reindex = widget.NewButton("Re-index your journal", m.onReindex)
	m.reindex.Importance = widget.LowImportance
	if m.models() == nil {
		m.install.Disable()
		m.builtIn.Disable()
		m.quantized.Disable()
	}
	return m
}

// content is the section as the Models card shows it.
func (m *meaningSection) content() fyne.CanvasObject {
	return container.NewVBox(bold("Meaning (Memory Lane)"), m.info,
		container.NewHBox(m.install, m.builtIn), m.quantized, m.reindex)
}

// models returns the Service's models when they can choose the embedding
// model, else nil.
func (m *meaningSection) models() journal.EmbeddingModels {
	em, _ := m.s.svc.Models().(journal.EmbeddingModels)
	return em
}

// load learns the model in use, off the UI goroutine; it returns what
// shows it.
func (m *meaningSection) load(ctx context.Context) func() {
	em := m.models()
	if em == nil {
		return func() { m.info.SetText("Memory Lane finds entries by meaning with the model SAMO was started with.") }
	}
	info, err := em.EmbeddingModel(ctx)
	return func() { m.show(info, err) }
}

func (m *meaningSection) show(info journal.ModelInfo, err error) {
	if err != nil {
		m.info.SetText(fmt.Sprintf("The embedding model could not be loaded: %v", err))
		return
	}
	m.info.SetText("In use: " + describeModel(info) + ". Memory Lane finds entries by what they meant with it.")
}

func (m *meaningSection) onInstall() {
	d := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil || dir == nil {
			return
		}
		m.installFrom(dir.Path(), m.quantized.Checked)
	}, m.s.window)
	d.Show()
}

// installFrom checks and uses the sentence-embedding export in dir, then
// offers to re-index the journal with it.
func (m *meaningSection) installFrom(dir string, quantized bool) {
	em := m.models()
	if em == nil {
		return
	}
	m.s.run("Checking and installing the embedding model…", true, func(ctx context.Context, _ func(int, int)) func() {
		info, err := em.InstallEmbeddingModel(ctx, dir, quantized)
		return func() {
			if err != nil {
				m.s.fail("The embedding model was not installed", err)
				return
			}
			m.changed(info, nil)
		}
	})
}

func (m *meaningSection) useBuiltIn() {
	em := m.models()
	if em == nil {
		return
	}
	m.s.run("Going back to the built-in embedding model…", false, func(ctx context.Context, _ func(int, int)) func() {
		err := em.UseBuiltInEmbeddingModel()
		var info journal.ModelInfo
		var ierr error
		if err == nil {
			info, ierr = em.EmbeddingModel(ctx)
		}
		return func() {
			if err != nil {
				m.s.fail("The built-in embedding model was not put back", err)
				return
			}
			m.changed(info, ierr)
		}
	})
}

// changed shows the model now in use and offers to re-index with it.
func (m *meaningSection) changed(info journal.ModelInfo, err error) {
	m.show(info, err)
	m.s.models.reload()
	m.s.offer(m.reindex, true)
	m.s.say("SAMO embeds new entries with "+describeModel(info)+". Re-index your journal so that earlier entries are found by it too.", widget.SuccessImportance)
}

func (m *meaningSection) onReindex() {
	m.s.run("Re-indexing your journal…", true, func(ctx context.Context, progress func(int, int)) func() {
		n, err := m.s.svc.Reindex(ctx, false, journal.ReindexProgress(progress))
		return func() {
			if err != nil {
				m.s.fail(fmt.Sprintf("Re-indexing stopped after %d %s", n, journal.Plural(n, "entry", "entries")), err)
				return
			}
			m.s.offer(m.reindex, false)
			m.s.say(fmt.Sprintf("Re-indexed %d %s with the embedding model in use.", n, journal.Plural(n, "entry", "entries")), widget.SuccessImportance)
		}
	})
}
