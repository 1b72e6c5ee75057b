package chart

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// ensureApp makes sure a Fyne app is current, creating Fyne's in-memory
// test app when none is.
func ensureApp() {
	if fyne.CurrentApp() == nil {
		test.NewApp()
	}
}
