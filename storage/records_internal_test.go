package storage

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// A sealed record is bound to its name: its bytes moved under another name
// do not open, so one record cannot be passed off as another.
func TestRecords_SealedValueIsBoundToItsName(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	s, err := Create(path, []byte("pw"), KDFParams{Time: 1, MemoryKiB: 1024, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.PutRecord(ctx, "a", []byte("record a")); err != nil {
		t.Fatal(err)
	}
	if err := s.PutRecord(ctx, "b", []byte("record b")); err != nil {
		t.Fatal(err)
	}
	err = s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRecords)
		v := bytes.Clone(b.Get([]byte("a")))
		if v[0] != formatSealed {
			t.Errorf("record a is stored with format %d, want sealed", v[0])
		}
		return b.Put([]byte("b"), v)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Record(ctx, "b"); !errors.Is(err, ErrDamaged) {
		t.Errorf("record a's sealed bytes under b = %q, %v; want ErrDamaged", got, err)
	}
	if got, err := s.Record(ctx, "a"); err != nil || string(got) != "record a" {
		t.Errorf("record a = %q, %v", got, err)
	}
}
