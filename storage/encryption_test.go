package storage_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/storage"
)

// fastKDF keeps tests quick; real journals use TuneKDF's ~0.5 s parameters.
var fastKDF = storage.KDFParams{Time: 1, MemoryKiB: 1024, Threads: 1}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// markerEntry is an entry whose every personal field carries marker.
func markerEntry(marker string, at time.Time) (journal.Entry, []byte) {
	e := entryAt(at, "Today I wrote "+marker+" in my journal.")
	e.Tags = []string{"tag" + marker}
	e.Transcript = &journal.Transcript{Language: "en", Model: "test", Segments: []journal.Segment{{Start: 0, End: time.Second, Text: "said " + marker}}}
	scores := make([]float32, 28)
	scores[17] = 0.9
	e.Emotions = &journal.Emotions{Scores: scores, Labels: []string{"joy"}, Model: "model" + marker, Version: "1"}
	e.Corrections = &journal.Corrections{Labels: []string{"relief"}}
	e.Embedding = &journal.Embedding{Model: "emb" + marker, Dim: 3, Vector: []float32{1, 2, 3}}
	e.Audio = &journal.Audio{Format: "wav", SampleRate: 16000, Channels: 1, Duration: time.Second}
	audio := bytes.Repeat([]byte("RIFF"+marker), 500)
	return e, audio
}

// scanFolder fails the test if any file under dir contains any marker.
func scanFolder(t *testing.T, dir string, markers []string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range markers {
			if bytes.Contains(b, []byte(m)) {
				t.Errorf("%s holds the plaintext marker %q", p, m)
			}
		}
		return nil
	})
}

func TestEncryption_NoPlaintextAtRest(t *testing.T) {
	ctx := context.Background()
	for _, startPlain := range []bool{false, true} {
		name := map[bool]string{false: "encrypted from the start", true: "plain, then encrypted"}[startPlain]
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, storage.FileName)
			s, err := storage.Open(path, storage.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !startPlain {
				if err := s.Encrypt([]byte("correct horse"), fastKDF); err != nil {
					t.Fatal(err)
				}
			}
			var markers []string
			var ids []string
			for i, m := range []string{"qzxmarkerone", "qzxmarkertwo", "qzxmarkerthree"} {
				e, audio := markerEntry(m, time.Now().Add(time.Duration(i)*time.Minute))
				if err := s.PutWithAudio(ctx, e, audio); err != nil {
					t.Fatal(err)
				}
				markers = append(markers, m)
				ids = append(ids, e.ID)
			}
			// An edit leaves the old value on a free page: it must not stay readable.
			e, _ := s.Get(ctx, ids[0])
			e.Text = "edited qzxmarkerfour"
			markers = append(markers, "qzxmarkerfour")
			if err := s.Put(ctx, e); err != nil {
				t.Fatal(err)
			}
			// Records (the emotion layer) are sealed like entries; a replaced
			// one leaves its old value on a free page too.
			for _, m := range []string{"qzxrecordold", "qzxrecordlayer"} {
				if err := s.PutRecord(ctx, "emotion-layer", []byte(`{"note":"`+m+`"}`)); err != nil {
					t.Fatal(err)
				}
				markers = append(markers, m)
			}
			if startPlain {
				if err := s.Encrypt([]byte("correct horse"), fastKDF); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Check(); err != nil {
				t.Fatal(err)
			}
			s.Close()
			scanFolder(t, dir, markers)

			s, err = storage.Open(path, storage.Options{Passphrase: []byte("correct horse")})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			got, err := s.Get(ctx, ids[1])
			if err != nil || got.Tags[0] != "tagqzxmarkertwo" || got.Embedding == nil || got.Embedding.Model != "embqzxmarkertwo" {
				t.Fatalf("after reopening: %+v, %v", got, err)
			}
			audio, err := s.Audio(ctx, ids[2])
			if err != nil || !bytes.Contains(audio, []byte("qzxmarkerthree")) {
				t.Errorf("audio after reopening: %d bytes, %v", len(audio), err)
			}
			if rec, err := s.Record(ctx, "emotion-layer"); err != nil || string(rec) != `{"note":"qzxrecordlayer"}` {
				t.Errorf("record after reopening: %q, %v", rec, err)
			}
		})
	}
}

func TestEncryption_WrongPassphraseChangesNothing(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), storage.FileName)
	s, _ := storage.Open(path, storage.Options{})
	if err := s.Encrypt([]byte("right"), fastKDF); err != nil {
		t.Fatal(err)
	}
	e := entryAt(time.Now(), "secret")
	s.Put(ctx, e)
	s.Close()
	before := fileSum(t, path)

	for range 5 {
		_, err := storage.Open(path, storage.Options{Passphrase: []byte("wrong")})
		if !errors.Is(err, storage.ErrWrongPassphrase) {
			t.Fatalf("err = %v, want ErrWrongPassphrase", err)
		}
	}
	if _, err := storage.Open(path, storage.Options{}); !errors.Is(err, storage.ErrPassphraseRequired) {
		t.Errorf("no passphrase: err = %v, want ErrPassphraseRequired", err)
	}
	if fileSum(t, path) != before {
		t.Error("failed unlocks changed the journal file")
	}
	s, err := storage.Open(path, storage.Options{Passphrase: []byte("right")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, err := s.Get(ctx, e.ID); err != nil || got.Text != "secret" {
		t.Errorf("after failed tries: %+v, %v", got, err)
	}
}

func TestEncryption_ChangePassphraseAndDecrypt(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), storage.FileName)
	s, _ := storage.Open(path, storage.Options{})
	s.Encrypt([]byte("old"), fastKDF)
	e := entryAt(time.Now(), "kept through every change")
	s.Put(ctx, e)
	if err := s.ChangePassphrase([]byte("new"), fastKDF); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := storage.Open(path, storage.Options{Passphrase: []byte("old")}); !errors.Is(err, storage.ErrWrongPassphrase) {
		t.Errorf("old passphrase: err = %v", err)
	}
	s, err := storage.Open(path, storage.Options{Passphrase: []byte("new")})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, e.ID); got.Text != e.Text {
		t.Errorf("after the change: %q", got.Text)
	}
	if err := s.Decrypt(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatalf("decrypted journal needs a passphrase: %v", err)
	}
	defer s.Close()
	if s.Encrypted() {
		t.Error("still encrypted")
	}
	if got, _ := s.Get(ctx, e.ID); got.Text != e.Text {
		t.Errorf("after decrypting: %q", got.Text)
	}
}

func TestTuneKDF(t *testing.T) {
	short := storage.TuneKDF(time.Millisecond)
	long := storage.TuneKDF(2 * time.Second)
	if short.Time != 1 || short.MemoryKiB != 64*1024 || short.Threads < 1 {
		t.Errorf("params for 1 ms = %+v, want one pass over 64 MiB", short)
	}
	// A longer target buys more passes: a machine where one 64 MiB pass took
	// a whole second would be far too slow for SAMO anyway.
	if long.Time <= short.Time {
		t.Errorf("params for 2 s = %+v, no more passes than for 1 ms", long)
	}
}
