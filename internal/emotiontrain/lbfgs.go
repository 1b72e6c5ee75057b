package emotiontrain

import (
	"fmt"
	"math"
	"sync"
)

// objective is the regularized, weighted logistic loss of a linear model
// over a training set, with its gradient: the mean over examples of each
// label's loss (positives weighted per label) plus L2/2 times the squared
// weights (biases are not regularized).
type objective struct {
	ss      []sample
	pw      [nl]float32
	l2      [nl]float32
	workers int
	bufs    []*linear
}

// positiveWeights returns each label's weight for its positive examples
// in ss: (negatives+1)/(positives+1) to the power balance(l), so that
// rare labels are not drowned by their negatives.
func positiveWeights(ss []sample, balance func(l int) float64) [nl]float32 {
	var pos [nl]int
	for i := range ss {
		for l, y := range ss[i].y {
			if y {
				pos[l]++
			}
		}
	}
	var pw [nl]float32
	for l := range pw {
		pw[l] = float32(math.Pow(float64(len(ss)-pos[l]+1)/float64(pos[l]+1), balance(l)))
	}
	return pw
}

func newObjective(ss []sample, rows, dim int, h Hyper, workers int) *objective {
	o := &objective{ss: ss, workers: max(workers, 1), pw: positiveWeights(ss, h.balanceOf)}
	for l := range o.l2 {
		o.l2[l] = float32(h.l2Of(l))
	}
	for range o.workers {
		o.bufs = append(o.bufs, newLinear(rows, dim))
	}
	return o
}

// eval returns the objective at m's parameters and writes its gradient
// into grad (same layout as m.p).
func (o *objective) eval(m *linear, grad []float32) float64 {
	losses := make([]float64, o.workers)
	var wg sync.WaitGroup
	chunk := (len(o.ss) + o.workers - 1) / o.workers
	for k := range o.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := o.bufs[k]
			clear(g.p)
			var z [nl]float32
			var total float64
			for i := k * chunk; i < min((k+1)*chunk, len(o.ss)); i++ {
				s := &o.ss[i]
				m.logits(s, &z)
				var e [nl]float32
				for l := range z {
					zl := float64(z[l])
					// log(1+exp(z)) computed stably
					sp := math.Max(zl, 0) + math.Log1p(math.Exp(-math.Abs(zl)))
					p := float32(1 / (1 + math.Exp(-zl)))
					if s.y[l] {
						total += float64(o.pw[l]) * (sp - zl)
						e[l] = o.pw[l] * (p - 1)
					} else {
						total += sp
						e[l] = p
					}
					g.b[l] += e[l]
				}
				for j, r := range s.rows {
					x := s.vals[j]
					gw := g.w[int(r)*nl : int(r)*nl+nl]
					for l := range gw {
						gw[l] += x * e[l]
					}
				}
				for d, x := range s.vec {
					gg := g.g[d*nl : d*nl+nl]
					for l := range gg {
						gg[l] += x * e[l]
					}
				}
			}
			losses[k] = total
		}()
	}
	wg.Wait()
	n := float32(len(o.ss))
	var loss float64
	for _, l := range losses {
		loss += l
	}
	loss /= float64(n)
	nb := len(m.b)
	var reg float64
	for i := range grad {
		var s float32
		for _, b := range o.bufs {
			s += b.p[i]
		}
		s /= n
		if i < len(grad)-nb {
			l2 := o.l2[i%nl]
			s += l2 * m.p[i]
			reg += float64(l2) * float64(m.p[i]) * float64(m.p[i])
		}
		grad[i] = s
	}
	return loss + reg/2
}

// lbfgs minimizes an objective over m's parameters with limited-memory BFGS
// and a backtracking (Armijo) line search. After each iteration it calls
// after with the iteration number and the objective; after returns false
// to stop. A non-finite objective is an error.
func lbfgs(m *linear, o *objective, maxIter, memory int, after func(it int, f float64) (bool, error)) error {
	n := len(m.p)
	g := make([]float32, n)
	f := o.eval(m, g)
	if !finite(f) {
		return fmt.Errorf("emotiontrain: objective is %v at the start", f)
	}
	type pair struct {
		s, y []float32
		rho  float64
	}
	var hist []pair
	d := make([]float32, n)
	x0 := make([]float32, n)
	g1 := make([]float32, n)
	alpha := make([]float64, memory)
	for it := 1; it <= maxIter; it++ {
		// two-loop recursion: d = -H g
		for i := range d {
			d[i] = -g[i]
		}
		for k := len(hist) - 1; k >= 0; k-- {
			alpha[k] = hist[k].rho * dot(hist[k].s, d)
			axpy(float32(-alpha[k]), hist[k].y, d)
		}
		if len(hist) > 0 {
			last := hist[len(hist)-1]
			gamma := float32(1 / (last.rho * dot(last.y, last.y)))
			for i := range d {
				d[i] *= gamma
			}
		} else {
			scale := float32(1 / math.Max(math.Sqrt(dot(g, g)), 1e-12))
			for i := range d {
				d[i] *= scale
			}
		}
		for k := range hist {
			beta := hist[k].rho * dot(hist[k].y, d)
			axpy(float32(alpha[k]-beta), hist[k].s, d)
		}
		gd := dot(g, d)
		if gd >= 0 { // not a descent direction: restart from steepest descent
			hist = hist[:0]
			for i := range d {
				d[i] = -g[i]
			}
			gd = dot(g, d)
		}
		copy(x0, m.p)
		step := 1.0
		var f1 float64
		for tries := 0; ; tries++ {
			for i := range m.p {
				m.p[i] = x0[i] + float32(step)*d[i]
			}
			f1 = o.eval(m, g1)
			if finite(f1) && f1 <= f+1e-4*step*gd {
				break
			}
			if tries == 30 {
				copy(m.p, x0)
				return nil // converged as far as float32 allows
			}
			step /= 2
		}
		s := make([]float32, n)
		y := make([]float32, n)
		for i := range s {
			s[i] = m.p[i] - x0[i]
			y[i] = g1[i] - g[i]
		}
		if sy := dot(s, y); sy > 1e-12 {
			if len(hist) == memory {
				hist = append(hist[:0], hist[1:]...)
			}
			hist = append(hist, pair{s, y, 1 / sy})
		}
		f = f1
		copy(g, g1)
		cont, err := after(it, f)
		if err != nil || !cont {
			return err
		}
	}
	return nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

func dot(a, b []float32) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += float64(a[i] * b[i])
		s1 += float64(a[i+1] * b[i+1])
		s2 += float64(a[i+2] * b[i+2])
		s3 += float64(a[i+3] * b[i+3])
	}
	for ; i < len(a); i++ {
		s0 += float64(a[i] * b[i])
	}
	return s0 + s1 + s2 + s3
}

func axpy(a float32, x, y []float32) {
	for i := range x {
		y[i] += a * x[i]
	}
}
