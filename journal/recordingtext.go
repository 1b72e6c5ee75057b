package journal

import (
	"fmt"
	"slices"
	"strings"

	"github.com/samojournal/samo/internal/units"
)

// DescribeRecording says how the feeling moved along a spoken entry's
// recording: a line for each segment read on its own, with its moment,
// its strongest emotion (and how strong) and its first words; "" for an
// entry without segment readings.
func (e Entry) DescribeRecording() string {
	if e.Transcript == nil {
		return ""
	}
	var b strings.Builder
	for _, seg := range e.Transcript.Segments {
		em := seg.Emotions
		if em == nil || len(em.Scores) != len(EmotionLabels) {
			continue
		}
		top := em.Labels
		if len(top) == 0 {
			i := slices.Index(em.Scores, slices.Max(em.Scores))
			top = []string{EmotionLabels[i]}
		}
		s := em.Scores[slices.Index(EmotionLabels[:], top[0])]
		words := strings.Fields(seg.Text)
		quote := strings.Join(words[:min(len(words), 8)], " ")
		if len(words) > 8 {
			quote += " …"
		}
		if b.Len() == 0 {
			b.WriteString("Along the recording:\n")
		}
		fmt.Fprintf(&b, "  %6s  %-14s %q\n", units.Clock(seg.Start), fmt.Sprintf("%s (%s)", top[0], Strength(s)), oneLine(quote))
	}
	return strings.TrimSuffix(b.String(), "\n")
}
