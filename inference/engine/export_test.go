package engine

import "github.com/samojournal/samo/inference/models"

// writeZeroThresholds writes a copy of b whose thresholds are all as low
// as a bundle allows, so that every label passes.
func writeZeroThresholds(b *models.Bundle, dir string) error {
	th := make([]float32, len(b.Manifest.Labels))
	for i := range th {
		th[i] = 1e-6
	}
	return models.WriteCopy(b, dir, th, "every label passes")
}
