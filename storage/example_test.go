package storage_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/storage"
)

func ExampleOpen() {
	// Open the journal, creating it in a new folder.
	dir, err := os.MkdirTemp("", "samo-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	s, err := storage.Open(filepath.Join(dir, storage.FileName), storage.Options{Timeout: time.Second})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	// Save an entry: one synced transaction. A new entry is stored at revision 1.
	ctx := context.Background()
	at := time.Date(2025, 11, 25, 21, 30, 0, 0, time.UTC)
	e := journal.Entry{ID: "01JDQ7XK2F8Y3S9VQ4M5N6P7R8", Created: at, Updated: at, Text: "A quiet evening by the sea."}
	if err := s.Put(ctx, e); err != nil {
		log.Fatal(err)
	}

	// Read it back.
	got, err := s.Get(ctx, e.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(got.Text)
	fmt.Println("revision", got.Revision)

	// Output:
	// A quiet evening by the sea.
	// revision 1
}
