// Package assets holds the files SAMO ships inside its binary: the app icon
// now, the default emotion model bundle later. It exposes plain bytes so
// that packages without a GUI can use it without importing Fyne.
package assets

import _ "embed"

// IconPNG is SAMO's application icon, 256×256 PNG, rendered by `make icon`.
//
//go:embed icon.png
var IconPNG []byte
