package glove_test

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/samojournal/samo/internal/glove"
)

func ExampleConvert() {
	// Each word maps to its vector, the vector's norm and the word's rank.
	in := `{"vectors": {
		"cat": [0.6, 0.8, 1, 2],
		"the": [1, 0, 1, 0],
		"dog": [0, 1, 1, 1]
	}}`
	var table bytes.Buffer
	if err := glove.Convert(strings.NewReader(in), &table, 2); err != nil {
		fmt.Println(err)
		return
	}
	t, err := glove.Decode(table.Bytes())
	if err != nil {
		fmt.Println(err)
		return
	}
	v, _ := t.Vector("dog")
	_, hasCat := t.Index("cat")
	fmt.Println(t.Words(), t.Dim(), v, hasCat)
	// Output: [the dog] 2 [0 1] false
}
