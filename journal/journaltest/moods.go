package journaltest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/samojournal/samo/journal"
)

// MoodPlan describes a synthetic journal for insights: entries on a share
// of the days, each with 28 emotion scores around a baseline that wanders
// from day to day (AR(1)), and the patterns planted in it.
type MoodPlan struct {
	// Start is the first day; Days how many days it covers.
	Start time.Time
	Days  int
	// Seed makes the journal repeatable.
	Seed uint64
	// Written is the share of days with entries (default 0.6); a written
	// day has one to three entries.
	Written float64
	// Shift, when set, raises a label's scores by By from day Day on.
	Shift *PlantedShift
	// Cycle, when set, raises a label's scores on one weekday.
	Cycle *PlantedCycle
	// Word, when set, puts a word into a share of the entries and gives
	// those entries the label as a feeling.
	Word *PlantedWord
}

// PlantedShift is a lasting change of a label's level.
type PlantedShift struct {
	Label string
	Day   int
	By    float64
}

// PlantedCycle is a label felt more on one weekday.
type PlantedCycle struct {
	Label   string
	Weekday time.Weekday
	By      float64
}

// PlantedWord is a word that goes with a label.
type PlantedWord struct {
	Word, Label string
	// Share of the entries that carry it (default 0.15).
	Share float64
}

// moodWords are the everyday words the synthetic entries are made of.
var moodWords = strings.Fields(`today walked work coffee friend called dinner read book morning evening rain sun
	garden cooked train meeting email music slept late early park lunch tea sister brother mother father
	movie weekend office plans kitchen window letter phone street market city river bread cake bike`)

// MoodEntries makes the plan's journal, oldest first. Entries are ready
// for Service.Save: created at a time of day, with text and emotions (the
// labels over 0.3 as the model's labels).
func MoodEntries(p MoodPlan) []journal.Entry {
	rng := rand.New(rand.NewPCG(p.Seed, 0x5a40))
	if p.Written <= 0 {
		p.Written = 0.6
	}
	n := len(journal.EmotionLabels)
	base := make([]float64, n)
	for i, l := range journal.EmotionLabels {
		base[i] = 0.04 + 0.04*rng.Float64()
		if l == "neutral" {
			base[i] = 0.35
		}
	}
	index := func(label string) int { return slices.Index(journal.EmotionLabels[:], label) }
	ar := make([]float64, n)
	var out []journal.Entry
	for d := range p.Days {
		for i := range ar {
			ar[i] = 0.4*ar[i] + 0.04*rng.NormFloat64()
		}
		if rng.Float64() >= p.Written {
			continue
		}
		day := p.Start.AddDate(0, 0, d)
		for k := range 1 + rng.IntN(3) {
			at := time.Date(day.Year(), day.Month(), day.Day(), 7+rng.IntN(15), rng.IntN(60), k, 0, day.Location())
			scores := make([]float32, n)
			for i := range scores {
				x := base[i] + ar[i] + 0.05*rng.NormFloat64()
				if s := p.Shift; s != nil && d >= s.Day && i == index(s.Label) {
					x += s.By
				}
				if c := p.Cycle; c != nil && day.Weekday() == c.Weekday && i == index(c.Label) {
					x += c.By
				}
				scores[i] = float32(min(max(x, 0), 1))
			}
			words := make([]string, 6+rng.IntN(10))
			for i := range words {
				words[i] = moodWords[rng.IntN(len(moodWords))]
			}
			if w := p.Word; w != nil {
				share := w.Share
				if share <= 0 {
					share = 0.15
				}
				if rng.Float64() < share {
					words[rng.IntN(len(words))] = w.Word
					if i := index(w.Label); i >= 0 {
						scores[i] = float32(math.Min(1, float64(scores[i])+0.45))
					}
				}
			}
			var labels []string
			for i, s := range scores {
				if s >= 0.3 {
					labels = append(labels, journal.EmotionLabels[i])
				}
			}
			out = append(out, journal.Entry{
				Text:     strings.Join(words, " ") + ".",
				Created:  at,
				Emotions: &journal.Emotions{Scores: scores, Labels: labels, Model: "synthetic", Version: fmt.Sprint(p.Seed), At: at},
			})
		}
	}
	return out
}
