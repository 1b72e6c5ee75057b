package search

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestTokens_WordsStemsAndPlaces(t *testing.T) {
	text := "Lost my KEYS; waited on the doorstep — couldn't sleep. Sister’s call."
	var got []string
	for _, tok := range Tokens(text) {
		if text[tok.Start:tok.End] == "" {
			t.Fatalf("empty token at %d", tok.Start)
		}
		if tok.Stop {
			continue
		}
		got = append(got, tok.Term+"="+text[tok.Start:tok.End])
	}
	want := []string{"lost=Lost", "key=KEYS", "wait=waited", "doorstep=doorstep", "sleep=sleep", "sister=Sister’s", "call=call"}
	if !slices.Equal(got, want) {
		t.Errorf("Tokens = %q\nwant %q", got, want)
	}
	if terms := Terms("The running of the runners"); !slices.Equal(terms, []string{"run", "runner"}) {
		t.Errorf("Terms = %q", terms)
	}
}

func TestWords_RanksByBM25AndForgetsRemoved(t *testing.T) {
	w := NewWords()
	docs := []string{
		"walked the dog in the rain",
		"the dog was sick, we went to the vet with the dog",
		"meeting at work ran late",
		"sick of meetings",
	}
	for i, d := range docs {
		w.Add(i, Terms(d))
	}
	q := []Weighted{{Term: "dog", Weight: 1}, {Term: "sick", Weight: 1}}
	hits := w.Search(q, nil, 10)
	if len(hits) != 3 || hits[0].Slot != 1 {
		t.Fatalf("hits = %+v, want slot 1 first of 3", hits)
	}
	// a filter, and a removal, take slots out
	if hits := w.Search(q, func(s int) bool { return s != 1 }, 10); len(hits) != 2 || slices.ContainsFunc(hits, func(h Hit) bool { return h.Slot == 1 }) {
		t.Errorf("filtered hits = %+v", hits)
	}
	w.Remove(1)
	w.Remove(1) // twice is harmless
	if hits := w.Search(q, nil, 10); len(hits) != 2 || w.Len() != 3 {
		t.Errorf("after removal: hits %+v, len %d", hits, w.Len())
	}
	// replacing a slot's text replaces its terms
	w.Add(0, Terms("a quiet evening"))
	if w.Contains(0, "dog") || !w.Contains(0, "quiet") {
		t.Error("slot 0 still has its old terms")
	}
	if hits := w.Search([]Weighted{{Term: "dog", Weight: 1}}, nil, 10); len(hits) != 0 {
		t.Errorf("dog still found: %+v", hits)
	}
}

func TestWords_RareTermOutranksCommon(t *testing.T) {
	w := NewWords()
	for i := range 50 {
		w.Add(i, Terms(fmt.Sprintf("today was a day number %d", i)))
	}
	w.Add(50, Terms("today was a day with a thunderstorm"))
	hits := w.Search([]Weighted{{Term: "day", Weight: 1}, {Term: "thunderstorm", Weight: 1}}, nil, 3)
	if hits[0].Slot != 50 {
		t.Errorf("top = %d, want the one with the rare word", hits[0].Slot)
	}
}

func TestVectors_NearestIsExact(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const n, dim = 500, 16
	v := NewVectors(dim)
	all := make([][]float32, n)
	for i := range n {
		all[i] = make([]float32, dim)
		for j := range all[i] {
			all[i][j] = r.Float32()*2 - 1
		}
		if err := v.Set(i, all[i]); err != nil {
			t.Fatal(err)
		}
	}
	v.Remove(7)
	q := all[3]
	got := v.Nearest(q, func(s int) bool { return s%2 == 1 || s == 3 }, 5)
	// brute force
	type pair struct {
		s int
		d float32
	}
	var want []pair
	for i := range n {
		if i == 7 || !(i%2 == 1 || i == 3) {
			continue
		}
		want = append(want, pair{i, Dot(q, all[i])})
	}
	slices.SortFunc(want, func(a, b pair) int {
		if a.d > b.d {
			return -1
		}
		return 1
	})
	for i, h := range got {
		if h.Slot != want[i].s {
			t.Fatalf("rank %d: slot %d, want %d", i, h.Slot, want[i].s)
		}
	}
	if len(got) != 5 {
		t.Fatalf("%d hits", len(got))
	}
	if err := v.Set(1, make([]float32, 3)); err == nil {
		t.Error("a vector of the wrong length was accepted")
	}
	if v.Len() != n-1 || v.Get(7) != nil {
		t.Errorf("len %d, removed vector %v", v.Len(), v.Get(7))
	}
}

func TestFuse_AgreementBeatsOneFirstPlace(t *testing.T) {
	a := []Hit{{Slot: 1}, {Slot: 2}, {Slot: 3}}
	b := []Hit{{Slot: 4}, {Slot: 2}, {Slot: 3}}
	got := Fuse(60, a, b)
	if got[0].Slot != 2 || got[1].Slot != 3 {
		t.Errorf("fused = %+v, want 2 then 3 first (found by both)", got)
	}
	if len(got) != 4 {
		t.Errorf("%d fused, want 4", len(got))
	}
}

func TestMakeSnippet_MarksMatchesInAWindow(t *testing.T) {
	text := strings.Repeat("nothing much happened here. ", 20) +
		"Then my sister called and we talked about   Mum for hours. " +
		strings.Repeat("more filler words follow. ", 20)
	s := MakeSnippet(text, Terms("sister mum"), 80)
	if len(s.Marks) != 2 {
		t.Fatalf("marks %v in %q", s.Marks, s.Text)
	}
	if got := s.Highlighted("[", "]"); !strings.Contains(got, "[sister]") || !strings.Contains(got, "[Mum]") {
		t.Errorf("highlighted: %q", got)
	}
	if !strings.HasPrefix(s.Text, "…") || !strings.HasSuffix(s.Text, "…") || strings.Contains(s.Text, "  ") {
		t.Errorf("snippet %q: want cut on both sides, spaces folded", s.Text)
	}
	if s := MakeSnippet("short text", []string{"absent"}, 80); s.Text != "short text" || len(s.Marks) != 0 {
		t.Errorf("no match: %+v", s)
	}
}

func FuzzTokens(f *testing.F) {
	for _, s := range []string{"don't", "’s", "a'", "'", "ÉCOLE d’été", "x\xffy", "123 456"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, tok := range Tokens(s) {
			if tok.Start < 0 || tok.End > len(s) || tok.Start >= tok.End || tok.Term == "" {
				t.Fatalf("bad token %+v in %q", tok, s)
			}
		}
		sn := MakeSnippet(s, Terms(s), 40)
		for _, m := range sn.Marks {
			if m[0] < 0 || m[1] > len(sn.Text) || m[0] >= m[1] {
				t.Fatalf("bad mark %v in %q", m, sn.Text)
			}
		}
	})
}
