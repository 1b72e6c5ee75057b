package storage_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/samojournal/samo/inference/engine"
	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/storage"
)

// Memory Lane in an encrypted journal writes nothing of an entry's words
// to disk: its index lives in memory, and the vectors saved with each entry
// are sealed like the entry. After searching, finding similar entries,
// walking the timeline and re-indexing, no word of the entries, no tag and
// no vector's bytes are in the folder.
func TestEncryption_MemoryLaneLeavesNoPlaintext(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, storage.FileName)
	s, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Encrypt([]byte("correct horse"), fastKDF); err != nil {
		t.Fatal(err)
	}
	models := engine.New(engine.Config{}, nil, nil) // the built-in GloVe embedding
	defer models.Close()
	svc := journal.NewService(s, journal.WithEmbedder(models))
	texts := []string{
		"Grandmother's lighthouse in Zanzibar glowed at dusk.",
		"Saxophone lessons with Bartholomew left me exhausted.",
		"Kayaking past the lighthouse again, thinking of grandmother.",
	}
	var vectors [][]float32
	for i, text := range texts {
		e, err := svc.AddAt(ctx, text, time.Date(2024, 6, 1+i, 20, 0, 0, 0, time.UTC), "tagzanzibar")
		if err != nil {
			t.Fatal(err)
		}
		if e.Embedding == nil {
			t.Fatalf("entry %d saved without its embedding", i)
		}
		vectors = append(vectors, e.Embedding.Vector)
	}
	found, err := svc.Search(ctx, journal.SearchQuery{Words: []string{"lighthouse"}})
	if err != nil || len(found) < 2 {
		t.Fatalf("search: %d found, %v", len(found), err)
	}
	if _, err := svc.Similar(ctx, found[0].Entry.ID, journal.SimilarBoth, journal.Filter{}, 5); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Timeline(ctx, journal.TimelineQuery{By: journal.Day}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Reindex(ctx, true, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// the vectors come back whole, with their model's name and version:
	// nothing needs embedding again
	s, err = storage.Open(path, storage.Options{Passphrase: []byte("correct horse")})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := journal.NewService(s, journal.WithEmbedder(models)).Reindex(ctx, false, nil); n != 0 || err != nil {
		t.Errorf("after reopening, %d entries needed embedding again (%v)", n, err)
	}
	s.Close()
	markers := []string{"Zanzibar", "zanzibar", "lighthouse", "Saxophone", "Bartholomew", "grandmother", "kayak", "glove-"}
	scanFolder(t, dir, markers)
	raw, err := readAll(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vectors {
		var b []byte
		for _, x := range v[:4] {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
		}
		if bytes.Contains(raw, b) {
			t.Errorf("the vector of entry %d is readable in the journal folder", i)
		}
	}
}

// readAll returns every file under dir, one after another.
func readAll(dir string) ([]byte, error) {
	var all []byte
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		all = append(all, b...)
		return err
	})
	return all, err
}
