package whisper

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Word is one word of a segment and when it was said, in the recording's
// time.
type Word struct {
	// Text is the word as the transcript has it, with its leading space
	// and the punctuation around it.
	Text       string
	Start, End time.Duration
	// Interpolated marks times spread over the segment by the words'
	// lengths, for a model without cross-attention outputs.
	Interpolated bool
}

// Word alignment follows openai/whisper's timing.py: the alignment heads'
// cross-attention of the positions that predicted each text token (and the
// end), standardised over the tokens, median-filtered over the frames,
// averaged over the heads; dynamic time warping on its negative gives a
// monotonic path from tokens to encoder frames (20 ms each), and a token
// starts where the path first reaches it.

const medianWidth = 7

// wordToken is a word and the number of text tokens it spans.
type wordToken struct {
	text  string
	n     int
	start int // frames
	end   int
}

// splitWords groups text tokens into words: a piece (tokens up to a whole
// UTF-8 character) that starts with a space or is punctuation starts a new
// word, as timing.py splits on spaces; for languages written without
// spaces every piece is a word.
func (m *Model) splitWords(tokens []int, lang string) []wordToken {
	var out []wordToken
	noSpaces := map[string]bool{"zh": true, "ja": true, "th": true, "lo": true, "my": true, "yue": true}[lang]
	start := 0
	for i := range tokens {
		piece := m.voc.tok.Decode(tokens[start:i+1], true)
		if strings.ContainsRune(piece, utf8.RuneError) && i+1 < len(tokens) {
			continue
		}
		n := i + 1 - start
		start = i + 1
		trimmed := strings.TrimSpace(piece)
		if len(out) == 0 || noSpaces || strings.HasPrefix(piece, " ") || isPunctuation(trimmed) {
			out = append(out, wordToken{text: piece, n: n})
			continue
		}
		out[len(out)-1].text += piece
		out[len(out)-1].n += n
	}
	return out
}

func isPunctuation(s string) bool {
	return s != "" && strings.Trim(s, "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") == ""
}

const (
	prepended = "\"'“¿([{-"
	appended  = "\"'.。,，!！?？:：”)]}、"
)

// mergePunctuation joins punctuation to the word it belongs to, as
// timing.py does: an opening mark to the following word, a closing one to
// the preceding, keeping the times of the word it joins (and its own token
// count, so that words still add up to the segments' tokens).
func mergePunctuation(ws []wordToken) {
	for i := len(ws) - 2; i >= 0; i-- {
		j := i + 1
		for j < len(ws) && ws[j].text == "" && ws[j].n == 0 {
			j++
		}
		if j == len(ws) {
			continue
		}
		if strings.HasPrefix(ws[i].text, " ") && strings.Contains(prepended, strings.TrimSpace(ws[i].text)) && strings.TrimSpace(ws[i].text) != "" {
			ws[j].text = ws[i].text + ws[j].text
			ws[j].n += ws[i].n
			ws[j].start = ws[i].start
			ws[i].text, ws[i].n = "", 0
		}
	}
	i := 0
	for j := 1; j < len(ws); j++ {
		if !strings.HasSuffix(ws[i].text, " ") && ws[j].text != "" && strings.Contains(appended, ws[j].text) {
			ws[i].text += ws[j].text
			ws[i].n += ws[j].n
			ws[i].end = ws[j].end
			ws[j].text, ws[j].n = "", 0
		} else {
			i = j
		}
	}
}

// alignFrames returns, for each of n rows of attn ([n][heads][1500]), the
// frame where the warping path first reaches it, over the first frames
// encoder frames.
func alignFrames(attn []float32, n, heads, frames int) []int {
	frames = min(max(frames, 1), encoderFrames)
	mat := make([]float64, n*frames) // the heads' mean, [n][frames]
	w := make([]float64, n*frames)
	col := make([]float64, frames+medianWidth-1)
	for h := range heads {
		for i := range n {
			row := attn[(i*heads+h)*encoderFrames:]
			for f := range frames {
				w[i*frames+f] = float64(row[f])
			}
		}
		// Standardise each frame over the tokens.
		for f := range frames {
			var mean, sq float64
			for i := range n {
				mean += w[i*frames+f]
			}
			mean /= float64(n)
			for i := range n {
				d := w[i*frames+f] - mean
				sq += d * d
			}
			std := math.Sqrt(sq / float64(n))
			for i := range n {
				if std > 1e-12 {
					w[i*frames+f] = (w[i*frames+f] - mean) / std
				} else {
					w[i*frames+f] = 0
				}
			}
		}
		// Median filter over the frames, reflecting at the edges.
		pad := medianWidth / 2
		for i := range n {
			row := w[i*frames : (i+1)*frames]
			if frames <= pad {
				for f := range frames {
					mat[i*frames+f] += row[f]
				}
				continue
			}
			for k := range col[:frames+2*pad] {
				src := k - pad
				if src < 0 {
					src = -src
				} else if src >= frames {
					src = 2*(frames-1) - src
				}
				col[k] = row[src]
			}
			for f := range frames {
				mat[i*frames+f] += median7(col[f : f+medianWidth])
			}
		}
	}
	return warp(mat, n, frames)
}

// warp runs dynamic time warping on the negative of x ([n][m]) and
// returns, for each row, the column where the path first enters it.
func warp(x []float64, n, m int) []int {
	inf := math.Inf(1)
	cost := make([]float64, (n+1)*(m+1))
	trace := make([]uint8, (n+1)*(m+1))
	for k := range cost {
		cost[k] = inf
	}
	cost[0] = 0
	at := func(i, j int) int { return i*(m+1) + j }
	for j := 1; j <= m; j++ {
		for i := 1; i <= n; i++ {
			c0, c1, c2 := cost[at(i-1, j-1)], cost[at(i-1, j)], cost[at(i, j-1)]
			// The least of the three, ties to the horizontal move, then
			// the diagonal (timing.py's strict comparisons would take a
			// larger horizontal cost when the other two tie).
			c, t := c2, uint8(2)
			if c0 < c2 && c0 <= c1 {
				c, t = c0, 0
			} else if c1 < c2 && c1 < c0 {
				c, t = c1, 1
			}
			cost[at(i, j)] = -x[(i-1)*m+j-1] + c
			trace[at(i, j)] = t
		}
	}
	first := make([]int, n)
	for k := range first {
		first[k] = -1
	}
	i, j := n, m
	for i > 0 || j > 0 {
		if i > 0 && j > 0 {
			first[i-1] = j - 1 // walking back: the last written is the first
		}
		t := trace[at(i, j)]
		switch {
		case i == 0:
			t = 2
		case j == 0:
			t = 1
		}
		switch t {
		case 0:
			i, j = i-1, j-1
		case 1:
			i--
		default:
			j--
		}
	}
	for k := range first {
		if first[k] < 0 {
			first[k] = 0
		}
	}
	return first
}

// interpolate spreads a segment's words over its time by their lengths.
func interpolate(ws []wordToken, start, end time.Duration) []Word {
	total := 0
	for _, w := range ws {
		total += utf8.RuneCountInString(strings.TrimSpace(w.text))
	}
	var out []Word
	at := 0
	for _, w := range ws {
		if w.text == "" {
			continue
		}
		n := utf8.RuneCountInString(strings.TrimSpace(w.text))
		word := Word{Text: w.text, Interpolated: true, Start: start, End: end}
		if total > 0 {
			word.Start = start + time.Duration(int64(end-start)*int64(at)/int64(total))
			word.End = start + time.Duration(int64(end-start)*int64(at+n)/int64(total))
		}
		at += n
		out = append(out, word)
	}
	return out
}

// median7 returns the median of seven values by a sorting network (a
// generic sort of seven costs several times more, at 1.4 million windows
// per 30 s of speech at whisper-base size).
func median7(x []float64) float64 {
	a0, a1, a2, a3, a4, a5, a6 := x[0], x[1], x[2], x[3], x[4], x[5], x[6]
	cs := func(p, q *float64) {
		if *p > *q {
			*p, *q = *q, *p
		}
	}
	cs(&a0, &a6)
	cs(&a2, &a3)
	cs(&a4, &a5)
	cs(&a0, &a2)
	cs(&a1, &a4)
	cs(&a3, &a6)
	cs(&a0, &a1)
	cs(&a2, &a5)
	cs(&a3, &a4)
	cs(&a1, &a2)
	cs(&a4, &a6)
	cs(&a2, &a3)
	cs(&a4, &a5)
	cs(&a1, &a2)
	cs(&a3, &a4)
	cs(&a5, &a6)
	return a3
}
