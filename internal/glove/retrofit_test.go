package glove_test

import (
	"math"
	"testing"

	"github.com/samojournal/samo/internal/glove"
)

func TestRetrofit(t *testing.T) {
	// four words in 2-d: a and b are synonyms, c is a's too, d has none
	tab, err := glove.Decode(table(4, 2, []string{"a", "b", "c", "d"}, []float32{1, 0, 0, 1, 0, -1, 3, 3}))
	if err != nil {
		t.Fatal(err)
	}
	nb := map[string][]string{"a": {"b", "c"}, "b": {"a"}, "c": {"a"}, "x": {"a"}}
	one := tab.Retrofit(nb, 1, 1)
	// one pass in rank order: a = (a + mean(b, c))/2 = (0.5, 0);
	// b = (b + a')/2 = (0.25, 0.5); c = (c + a')/2 = (0.25, -0.5)
	want := map[string][]float32{"a": {0.5, 0}, "b": {0.25, 0.5}, "c": {0.25, -0.5}, "d": {3, 3}}
	for w, v := range want {
		got, _ := one.Vector(w)
		if math.Abs(float64(got[0]-v[0])) > 1e-6 || math.Abs(float64(got[1]-v[1])) > 1e-6 {
			t.Errorf("after one pass %s = %v, want %v", w, got, v)
		}
	}
	if v, _ := tab.Vector("a"); v[0] != 1 || v[1] != 0 {
		t.Errorf("the original table changed: a = %v", v)
	}
	// more passes converge: a word stays between its own vector and its
	// neighbours', and the same inputs give the same table
	many, again := tab.Retrofit(nb, 50, 1), tab.Retrofit(nb, 50, 1)
	for _, w := range []string{"a", "b", "c", "d"} {
		v1, _ := many.Vector(w)
		v2, _ := again.Vector(w)
		if v1[0] != v2[0] || v1[1] != v2[1] {
			t.Errorf("%s: %v and %v from the same inputs", w, v1, v2)
		}
	}
	b, _ := many.Vector("b")
	a, _ := many.Vector("a")
	orig, _ := tab.Vector("b")
	if !(b[1] < orig[1] && b[0] > 0 && b[0] < a[0]+1e-6) {
		t.Errorf("b = %v did not move from %v toward a = %v", b, orig, a)
	}
	// alpha weighs a word's own vector: a large alpha barely moves it
	stiff := tab.Retrofit(nb, 10, 1000)
	if v, _ := stiff.Vector("a"); math.Abs(float64(v[0]-1)) > 0.01 {
		t.Errorf("alpha 1000: a = %v, want about (1, 0)", v)
	}
}
