package storage_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"
	bolt "go.etcd.io/bbolt"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/storage"
)

// The test binary doubles as the child processes of these tests.
func TestMain(m *testing.M) {
	switch os.Getenv("SAMO_STORAGE_CHILD") {
	case "writer":
		childWriter(os.Getenv("SAMO_JOURNAL"))
	case "fill":
		childFill(os.Getenv("SAMO_JOURNAL"))
	}
	os.Exit(m.Run())
}

// childText is the text of the i-th entry written by a child: its length
// varies so that transactions span one page or many.
func childText(i int) string {
	n := []int{10, 3000, 40000, 200000}[i%4]
	return fmt.Sprintf("entry %d:", i) + strings.Repeat("x", n)
}

// childWriter saves entries forever, printing "ack ID" after each save returns.
func childWriter(path string) {
	s, err := storage.Open(path, storage.Options{Timeout: 10 * time.Second})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(3)
	}
	for i := 0; ; i++ {
		e := entryAt(time.Now(), childText(i))
		if err := s.Put(context.Background(), e); err != nil {
			fmt.Println("put:", err)
			os.Exit(4)
		}
		fmt.Printf("ack %s\n", e.ID)
	}
}

func TestDurability_KilledWriterLosesNoAcknowledgedSave(t *testing.T) {
	path := filepath.Join(t.TempDir(), storage.FileName)
	acked := map[string]bool{}
	rng := rand.New(rand.NewPCG(1, 2))
	const kills = 20
	for round := range kills {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "SAMO_STORAGE_CHILD=writer", "SAMO_JOURNAL="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// Wait for the first save, then kill at a random moment.
		first := <-lines
		if !strings.HasPrefix(first, "ack ") {
			t.Fatalf("round %d: child said %q", round, first)
		}
		acked[strings.TrimPrefix(first, "ack ")] = true
		time.AfterFunc(time.Duration(5+rng.IntN(150))*time.Millisecond, func() { cmd.Process.Signal(syscall.SIGKILL) })
		for l := range lines {
			if id, ok := strings.CutPrefix(l, "ack "); ok {
				acked[id] = true
			} else {
				t.Fatalf("round %d: child said %q", round, l)
			}
		}
		cmd.Wait()

		s, err := storage.Open(path, storage.Options{})
		if err != nil {
			t.Fatalf("round %d: reopen after SIGKILL: %v", round, err)
		}
		if err := s.Check(); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		seen := 0
		err = s.Each(context.Background(), func(e journal.Entry) error {
			seen++
			i, err := strconv.Atoi(strings.TrimPrefix(strings.SplitN(e.Text, ":", 2)[0], "entry "))
			if err != nil || e.Text != childText(i) {
				return fmt.Errorf("entry %s is half-written (%d bytes)", e.ID, len(e.Text))
			}
			return nil
		})
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		for id := range acked {
			if _, err := s.Get(context.Background(), id); err != nil {
				t.Fatalf("round %d: acknowledged entry %s lost: %v", round, id, err)
			}
		}
		if seen < len(acked) {
			t.Fatalf("round %d: %d entries, %d acknowledged", round, seen, len(acked))
		}
		s.Close()
	}
	t.Logf("%d kills, %d acknowledged saves, all intact", kills, len(acked))
}

// childFill limits its own file size just above the journal's, then saves
// until a save fails, and reports that error.
func childFill(path string) {
	signal.Ignore(syscall.SIGXFSZ) // the write fails with EFBIG instead of killing us
	s, err := storage.Open(path, storage.Options{})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(3)
	}
	fi, _ := os.Stat(path)
	lim := uint64(fi.Size()) + 64<<10
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: lim, Max: math.MaxUint64}); err != nil {
		fmt.Println("setrlimit:", err)
		os.Exit(3)
	}
	for i := range 1000 {
		e := entryAt(time.Now(), strings.Repeat("filling the disk ", 4000)+strconv.Itoa(i))
		if err := s.Put(context.Background(), e); err != nil {
			fmt.Println("full:", errors.Is(err, storage.ErrDiskFull), err)
			os.Exit(0)
		}
	}
	fmt.Println("never filled")
}

func TestDiskFull_NothingSavedIsLost(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), storage.FileName)
	s, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range 20 {
		e := entryAt(time.Now(), fmt.Sprintf("saved before the disk filled %d", i))
		if err := s.Put(ctx, e); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	s.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SAMO_STORAGE_CHILD=fill", "SAMO_JOURNAL="+path)
	out, _ := cmd.CombinedOutput()
	if !strings.HasPrefix(string(out), "full: true") || !strings.Contains(string(out), "the disk is full") {
		t.Fatalf("the child did not get ErrDiskFull with a clear message: %s", out)
	}

	s, err = storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatalf("reopen after a full disk: %v", err)
	}
	defer s.Close()
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		if e, err := s.Get(ctx, id); err != nil || e.Text != fmt.Sprintf("saved before the disk filled %d", i) {
			t.Errorf("entry %d after a full disk: %+v, %v", i, e, err)
		}
	}
}

func TestStore_LargeAndInvalidEntries(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	big := entryAt(time.Now(), strings.Repeat("ten megabytes of thought ", 10<<20/25))
	if err := s.Put(ctx, big); err != nil {
		t.Fatalf("a 10 MB entry: %v", err)
	}
	if got, err := s.Get(ctx, big.ID); err != nil || got.Text != big.Text {
		t.Errorf("10 MB entry read back: %d bytes, %v", len(got.Text), err)
	}
	tooBig := entryAt(time.Now(), strings.Repeat("a", journal.MaxTextBytes+1))
	if err := s.Put(ctx, tooBig); !errors.Is(err, journal.ErrTextTooLong) {
		t.Errorf("over the limit: err = %v", err)
	}

	nan := entryAt(time.Now(), "scores gone wrong")
	scores := make([]float32, 28)
	scores[3] = float32(math.NaN())
	nan.Emotions = &journal.Emotions{Scores: scores}
	err := s.Put(ctx, nan)
	if !errors.Is(err, journal.ErrInvalid) || !strings.Contains(err.Error(), "emotions.scores[annoyance]") {
		t.Errorf("NaN score: err = %v, want ErrInvalid naming the field", err)
	}
	inf := entryAt(time.Now(), "vector gone wrong")
	inf.Embedding = &journal.Embedding{Model: "m", Dim: 2, Vector: []float32{1, float32(math.Inf(1))}}
	if err := s.Put(ctx, inf); err == nil || !strings.Contains(err.Error(), "embedding.vector[1]") {
		t.Errorf("Inf in a vector: err = %v", err)
	}
	if n, _ := s.Count(ctx); n != 1 {
		t.Errorf("%d entries stored, want only the valid one", n)
	}
}

func TestMigration_FromSchema1(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), storage.FileName)
	// A journal as SAMO's first release wrote it: bare JSON values, no timeline.
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2025, 6, 1, 8, 30, 0, 0, time.FixedZone("", 2*3600))
	var ids []string
	db.Update(func(tx *bolt.Tx) error {
		meta, _ := tx.CreateBucket([]byte("meta"))
		meta.Put([]byte("schema"), []byte("1"))
		entries, _ := tx.CreateBucket([]byte("entries"))
		for i := range 3 {
			at := base.AddDate(0, 0, i)
			id := ulid.MustNew(ulid.Timestamp(at), ulid.DefaultEntropy()).String()
			ids = append(ids, id)
			v := fmt.Sprintf(`{"created":%q,"updated":%q,"text":"old entry %d"}`, at.Format(time.RFC3339Nano), at.Format(time.RFC3339Nano), i)
			entries.Put([]byte(id), []byte(v))
		}
		return nil
	})
	db.Close()

	s, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatalf("open a schema-1 journal: %v", err)
	}
	defer s.Close()
	es, err := s.List(ctx, journal.Query{})
	if err != nil || len(es) != 3 {
		t.Fatalf("after migration: %d entries, %v", len(es), err)
	}
	for i, e := range es {
		want := 2 - i
		if e.ID != ids[want] || e.Text != fmt.Sprintf("old entry %d", want) || !e.Created.Equal(base.AddDate(0, 0, want)) {
			t.Errorf("entry %d = %+v", i, e)
		}
	}
	if err := s.Check(); err != nil {
		t.Error(err)
	}
	// The upgrade is written: a new entry fits in the new layout beside the old ones.
	if err := s.Put(ctx, entryAt(time.Now(), "new")); err != nil {
		t.Fatal(err)
	}
}
