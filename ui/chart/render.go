package chart

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/software"
	"fyne.io/fyne/v2/theme"

	"github.com/samojournal/samo/internal/outfile"
)

// Render paints obj at the given size (in Fyne units) through Fyne's
// software painter and returns the image, which is size times scale
// pixels. The chart takes its colours from th (the current theme when th
// is nil) through a theme override, so the app's own theme is left as it
// is; the background is th's background colour. A scale of zero or less
// means 1.
//
// Render needs a Fyne app (fyne.CurrentApp) to measure text: a command-line
// caller without one should create fyne.io/fyne/v2/test.NewApp first.
// Where none exists Render creates that test app itself (Fyne logs that none
// was found) and leaves it current.
//
// obj must not be shown in a window at the same time: Render lays it out at
// size and wraps it in a theme override.
func Render(obj fyne.CanvasObject, size fyne.Size, th fyne.Theme, scale float32) image.Image {
	ensureApp()
	if th == nil {
		th = theme.Current()
	}
	if scale <= 0 {
		scale = 1
	}
	c := software.NewTransparentCanvas()
	c.SetPadded(false)
	c.SetScale(scale)
	c.SetContent(container.NewThemeOverride(obj, th))
	c.Resize(size)
	fg := c.Capture()

	b := fg.Bounds()
	out := image.NewNRGBA(b)
	bg := th.Color(theme.ColorNameBackground, fyne.CurrentApp().Settings().ThemeVariant())
	draw.Draw(out, b, image.NewUniform(bg), image.Point{}, draw.Src)
	draw.Draw(out, b, fg, b.Min, draw.Over)
	return out
}

// WritePNG writes img to path as a PNG, as outfile.Write does: a regular
// file is written beside it and renamed into place, so a reader never sees
// half an image, while a FIFO or a device is written to, never replaced.
func WritePNG(path string, img image.Image) error {
	if img == nil {
		return fmt.Errorf("write chart %s: no image", path)
	}
	if err := outfile.Write(path, 0o644, func(w io.Writer) error { return png.Encode(w, img) }); err != nil {
		return fmt.Errorf("write chart: %w", err)
	}
	return nil
}

// WithVariant returns th with every colour looked up in variant v
// (theme.VariantLight or theme.VariantDark) whatever variant the app asks
// for; Render(obj, size, WithVariant(theme.DefaultTheme(),
// theme.VariantDark), 1) draws a dark chart.
func WithVariant(th fyne.Theme, v fyne.ThemeVariant) fyne.Theme {
	if th == nil {
		th = theme.DefaultTheme()
	}
	return variantTheme{Theme: th, variant: v}
}

// variantTheme pins a theme's colours to one variant.
type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.variant)
}
