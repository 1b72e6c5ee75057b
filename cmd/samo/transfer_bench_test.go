package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"testing"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/transfer"
	"github.com/samojournal/samo/storage"
)

const transferBenchEntries = 2000

// BenchmarkExportJSON measures exporting a journal of rich entries (all
// fields, 64-byte recordings) as SAMO JSON; entries/s is the rate.
func BenchmarkExportJSON(b *testing.B) {
	home := b.TempDir()
	richJournal(b, home, transferBenchEntries)
	st, err := storage.Open(filepath.Join(home, storage.FileName), storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	svc := journal.NewService(storage.Journal{Store: st})
	for b.Loop() {
		if err := transfer.WriteJSON(io.Discard, svc.Export(ctx)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(transferBenchEntries*b.N)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkImportJSON measures reading that export and saving it into an
// empty journal in synced batches; entries/s is the rate.
func BenchmarkImportJSON(b *testing.B) {
	home := b.TempDir()
	richJournal(b, home, transferBenchEntries)
	src, err := storage.Open(filepath.Join(home, storage.FileName), storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var doc bytes.Buffer
	if err := transfer.WriteJSON(&doc, journal.NewService(src).Export(context.Background())); err != nil {
		b.Fatal(err)
	}
	src.Close()
	for b.Loop() {
		b.StopTimer()
		st, err := storage.Open(filepath.Join(b.TempDir(), storage.FileName), storage.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		items, _, err := transfer.ReadJSON(bytes.NewReader(doc.Bytes()))
		if err != nil {
			b.Fatal(err)
		}
		if n, err := journal.NewService(storage.Journal{Store: st}).Import(context.Background(), items, nil); err != nil || n.Added != transferBenchEntries {
			b.Fatal(n, err)
		}
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(transferBenchEntries*b.N)/b.Elapsed().Seconds(), "entries/s")
}
