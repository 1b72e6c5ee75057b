package storage_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/storage"
)

// Imports save in batches of journal.ImportBatch, each all or nothing: a
// failure inside the second batch's transaction leaves exactly the first
// batch saved, in the real store.
func TestService_ImportSavesBatchesAllOrNothing(t *testing.T) {
	ctx := context.Background()
	st, err := storage.Open(filepath.Join(t.TempDir(), storage.FileName), storage.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := journal.NewService(storage.Journal{Store: st})
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var items []journal.Exported
	for i := range 2*journal.ImportBatch + 100 {
		items = append(items, journal.Exported{Entry: journal.Entry{Created: base.Add(time.Duration(i) * time.Minute), Text: "imported"}})
	}
	// The failure comes 200 entries into the second batch.
	failAt := base.Add(time.Duration(journal.ImportBatch+200) * time.Minute)
	injected := errors.New("injected failure")
	storage.FailPutForTest(st, func(e journal.Entry) error {
		if e.Created.Equal(failAt) {
			return injected
		}
		return nil
	})
	n, err := svc.Import(ctx, items, nil)
	if !errors.Is(err, injected) {
		t.Fatalf("import: %v; want the injected failure", err)
	}
	if n.Added != journal.ImportBatch {
		t.Errorf("Import says %d added, want %d", n.Added, journal.ImportBatch)
	}
	if c, err := svc.Count(ctx); err != nil || c != journal.ImportBatch {
		t.Errorf("%d entries saved (%v), want exactly the first batch of %d", c, err, journal.ImportBatch)
	}
	es, err := svc.List(ctx, journal.Query{Limit: 1})
	if err != nil || len(es) != 1 || !es[0].Created.Equal(items[journal.ImportBatch-1].Created) {
		t.Errorf("the newest saved entry is not the first batch's last: %v, %v", es, err)
	}
}
