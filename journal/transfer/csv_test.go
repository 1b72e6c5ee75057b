package transfer_test

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/transfer"
)

func TestWriteCSV_HeaderAndRows(t *testing.T) {
	scores := make([]float32, len(journal.EmotionLabels))
	scores[0], scores[17], scores[27] = 0.71019996, 1, 0.00004
	entries := []journal.Entry{
		{
			ID:          "01JDXK3Q9Z8Y7X6W5V4T3S2R1P",
			Created:     time.Date(2026, 11, 25, 9, 41, 0, 0, mustZone(t, "Europe/Paris")),
			Text:        "Thankful, happy.",
			Emotions:    &journal.Emotions{Scores: scores, Labels: []string{"admiration", "joy"}},
			Corrections: &journal.Corrections{Labels: []string{"gratitude", "joy"}},
		},
		{ID: "no-emotions", Text: "Skipped."},
		{
			ID:       "01JE1111111111111111111111",
			Created:  time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC),
			Emotions: &journal.Emotions{Scores: make([]float32, 28)},
		},
	}
	var buf bytes.Buffer
	if err := transfer.WriteCSV(&buf, transfer.FromSlice(entries)); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows, want a header and 2:\n%q", len(rows), rows)
	}
	wantHeader := append(append([]string{"id", "created"}, journal.EmotionLabels[:]...), "predicted", "corrected")
	if !slices.Equal(rows[0], wantHeader) {
		t.Errorf("header = %q", rows[0])
	}
	tests := []struct {
		row, col int
		want     string
	}{
		{1, 0, "01JDXK3Q9Z8Y7X6W5V4T3S2R1P"},
		{1, 1, "2026-11-25T09:41:00+01:00"},
		{1, 2, "0.7102"},  // admiration
		{1, 3, "0.0000"},  // amusement
		{1, 19, "1.0000"}, // joy
		{1, 29, "0.0000"}, // neutral
		{1, 30, "admiration;joy"},
		{1, 31, "gratitude;joy"},
		{2, 0, "01JE1111111111111111111111"},
		{2, 1, "2026-11-26T08:00:00Z"},
		{2, 30, ""},
		{2, 31, ""},
	}
	for _, tc := range tests {
		if got := rows[tc.row][tc.col]; got != tc.want {
			t.Errorf("row %d %s = %q, want %q", tc.row, rows[0][tc.col], got, tc.want)
		}
	}
}

func TestWriteCSV_BadScores(t *testing.T) {
	e := journal.Entry{ID: "x1", Emotions: &journal.Emotions{Scores: make([]float32, 27)}}
	err := transfer.WriteCSV(&bytes.Buffer{}, transfer.FromSlice([]journal.Entry{e}))
	if err == nil || !strings.Contains(err.Error(), "entry x1: 27 emotion scores, want 28") {
		t.Errorf("err = %v", err)
	}
}
