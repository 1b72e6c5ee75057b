package storage

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/samojournal/samo/journal"
)

// A delete while another use of the Store is running cannot clear the
// pages a read may still use; Close clears them at the latest.
func TestStore_TextDeletedDuringAReadLeavesTheFileAtClose(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	e := journal.Entry{ID: "01JVZ0000000000000000000AA", Created: at, Updated: at, Text: "DURING-READ-SECRET-44aa"}
	if err := s.Put(ctx, e); err != nil {
		t.Fatal(err)
	}
	s.mu.RLock() // another use, running
	err = s.Delete(ctx, e.ID)
	s.mu.RUnlock()
	if err != nil {
		t.Fatal(err)
	}
	if !s.scrub.pending {
		t.Error("the freed pages were cleared while another use of the store was running")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("DURING-READ-SECRET-44aa")) {
		t.Error("the file still holds the text deleted during a read, after Close")
	}
}
