package journal

import (
	"cmp"
	"math"
	"slices"

	"github.com/samojournal/samo/journal/patterns"
)

// putTermWords remembers, for each term new to the index, the word it was
// read from: insights show "running", not the stem "run".
func (ix *laneIndex) putTermWords(terms, words []string) {
	for i, t := range terms {
		id := ix.words.ID(t)
		if id < 0 {
			continue
		}
		for len(ix.termWords) <= id {
			ix.termWords = append(ix.termWords, "")
		}
		if ix.termWords[id] == "" {
			ix.termWords[id] = words[i]
		}
	}
}

// associations finds the keys (words or tags) that go with a group more
// often than across rs: lift with its 95% interval, tested when the key is
// in at least minUses scored entries, at least minWith of them with the
// group, and kept when the false discovery rate over every key and group
// tested stays within assocFDR (Benjamini–Hochberg on the log lift's
// normal p-value: a journal has thousands of words, and some go with a
// feeling by chance) and the interval's low end is above 1; the strongest
// (by the low end) first, at most maxAssoc. Neutral is left out: "goes
// with feeling nothing in particular" tells a person little.
func associations(rs []reading, keys func(r reading) []int, name func(k int) string, minUses, minWith int) []Association {
	var total int
	var groupTotal [len(EkmanGroups)]int
	uses := map[int]int{}
	with := map[int]*[len(EkmanGroups)]int{}
	for _, r := range rs {
		if !r.scored {
			continue
		}
		total++
		for g := range EkmanGroups {
			if r.feels&(1<<(len(EmotionLabels)+g)) != 0 {
				groupTotal[g]++
			}
		}
		for _, k := range keys(r) {
			uses[k]++
			w := with[k]
			if w == nil {
				w = new([len(EkmanGroups)]int)
				with[k] = w
			}
			for g := range EkmanGroups {
				if r.feels&(1<<(len(EmotionLabels)+g)) != 0 {
					w[g]++
				}
			}
		}
	}
	// every word and group with the support is a test: the p-value of
	// its log lift against 0, then the false discovery rate over them all
	var tested []Association
	var ps []float64
	for k, n := range uses {
		if n < minUses {
			continue
		}
		for g, group := range EkmanGroups {
			if group == "neutral" || groupTotal[g] == 0 || groupTotal[g] == total {
				continue
			}
			c := with[k][g]
			if c < minWith {
				continue
			}
			lift, low, high := patterns.Lift(c, n, groupTotal[g], total)
			if math.IsNaN(lift) || low <= 0 {
				continue
			}
			se := (math.Log(high) - math.Log(low)) / (2 * 1.959964)
			z := math.Log(lift) / se
			tested = append(tested, Association{Word: name(k), Group: group, With: c, Uses: n, Lift: lift, Low: low, High: high})
			ps = append(ps, math.Erfc(math.Abs(z)/math.Sqrt2))
		}
	}
	var out []Association
	for i, q := range patterns.BenjaminiHochberg(ps) {
		if a := tested[i]; q <= assocFDR && a.Low > 1 {
			a.Q = q
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b Association) int {
		if c := cmp.Compare(b.Low, a.Low); c != 0 {
			return c
		}
		return cmp.Compare(a.Word+a.Group, b.Word+b.Group)
	})
	return out[:min(len(out), maxAssoc)]
}

// wordAssociations are the words of rs's entries that go with a group.
func (ix *laneIndex) wordAssociations(rs []reading) []Association {
	keys := func(r reading) []int {
		ids := ix.words.DocTerms(r.slot)
		out := make([]int, len(ids))
		for i, id := range ids {
			out[i] = int(id)
		}
		return out
	}
	name := func(k int) string {
		if k < len(ix.termWords) && ix.termWords[k] != "" {
			return ix.termWords[k]
		}
		return ix.words.Term(k)
	}
	return associations(rs, keys, name, minWordUses, minWordWith)
}

// tagAssociations are the tags of rs's entries that go with a group.
func (ix *laneIndex) tagAssociations(rs []reading) []Association {
	ids := map[string]int{}
	var names []string
	keys := func(r reading) []int {
		var out []int
		for _, t := range ix.docs[r.slot].tags {
			id, ok := ids[t]
			if !ok {
				id = len(names)
				ids[t] = id
				names = append(names, t)
			}
			if !slices.Contains(out, id) { // a tag given twice counts once
				out = append(out, id)
			}
		}
		return out
	}
	out := associations(rs, keys, func(k int) string { return names[k] }, minTagUses, minTagWith)
	for i := range out {
		out[i].Tag = true
	}
	return out
}
