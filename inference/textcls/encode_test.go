package textcls

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/samojournal/samo/inference/tokenizer"
)

// Windows stay within MaxTokens, each wrapped in [CLS] … [SEP], consecutive
// ones sharing exactly stride tokens, and together they hold every token
// in order.
func TestEncoder_Windows(t *testing.T) {
	vocab := map[string]int{"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3}
	for i := range 100 {
		vocab[fmt.Sprint("w", i)] = 4 + i
	}
	w, err := tokenizer.NewWordPiece(vocab, nil, tokenizer.UncasedOptions())
	if err != nil {
		t.Fatal(err)
	}
	e := &encoder{ids: w.IDs, cls: 2, sep: 3}
	for _, n := range []int{0, 1, 5, 6, 7, 37, 100} {
		var words []string
		for i := range n {
			words = append(words, fmt.Sprint("w", i))
		}
		text := strings.Join(words, " ")
		for _, c := range []struct{ max, stride int }{{3, 0}, {8, 0}, {8, 2}, {8, 5}, {512, 128}} {
			ws := e.windows(text, c.max, c.stride)
			var joined []int64
			for i, win := range ws {
				if len(win) > c.max || len(win) < 2 || win[0] != 2 || win[len(win)-1] != 3 {
					t.Fatalf("n=%d %+v: window %d is %v", n, c, i, win)
				}
				body := win[1 : len(win)-1]
				if i > 0 {
					prev := ws[i-1][1 : len(ws[i-1])-1]
					if !slices.Equal(prev[len(prev)-c.stride:], body[:c.stride]) {
						t.Fatalf("n=%d %+v: windows %d and %d do not share %d tokens", n, c, i-1, i, c.stride)
					}
					body = body[c.stride:]
				}
				joined = append(joined, body...)
			}
			want := make([]int64, n)
			for i := range want {
				want[i] = int64(4 + i)
			}
			if !slices.Equal(joined, want) {
				t.Errorf("n=%d %+v: windows hold %v", n, c, joined)
			}
		}
	}
}

func TestSplitWords(t *testing.T) {
	text := "  Hello,\tworld!\n\u00a0naïve  "
	got := splitWords(text)
	want := []string{"Hello,", "world!", "naïve"}
	if len(got) != len(want) {
		t.Fatalf("splitWords = %+v", got)
	}
	for i, w := range got {
		if w.Word != want[i] || text[w.Start:w.End] != w.Word {
			t.Errorf("word %d = %+v, want %q", i, w, want[i])
		}
	}
}
