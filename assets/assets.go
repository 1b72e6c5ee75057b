// Package assets holds the files SAMO ships inside its binary: the app
// icon, the default emotion model bundle with its score reference, and the
// word vectors. It exposes plain bytes and file systems so that packages
// without a GUI can use it without importing Fyne.
package assets

import (
	"embed"
	"io/fs"
)

// IconPNG is SAMO's application icon, 256×256 PNG, rendered by `make icon`.
//
//go:embed icon.png
var IconPNG []byte

//go:embed emotion/manifest.json emotion/model.onnx emotion/vocab.bin emotion/report.json
var emotionFiles embed.FS

// EmotionModel returns the default emotion model bundle (made by `make
// train-emotions`): its manifest.json at the root, beside the files it
// lists.
func EmotionModel() fs.FS {
	sub, err := fs.Sub(emotionFiles, "emotion")
	if err != nil {
		panic(err) // "emotion" is a valid path: cannot happen
	}
	return sub
}

//go:embed wordvec/wordvec.bin
var wordVectors []byte

// WordVectors returns the default word-vector asset (made by `make
// wordvec`): GloVe 6B 100-d vectors of the most frequent English words in
// int8, with word probabilities and common components, in the format that
// inference/wordvec reads. The slice is shared: do not change it.
func WordVectors() []byte { return wordVectors }

//go:embed emotion-reference.json
var emotionReference []byte

// EmotionReference returns how the default emotion model's scores fall on
// GoEmotions dev (made by `make emotion-reference`), in the format
// inference/emotion's ParseReference reads. The slice is shared: do not
// change it.
func EmotionReference() []byte { return emotionReference }
