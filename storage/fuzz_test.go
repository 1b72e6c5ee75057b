package storage

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/samojournal/samo/journal"
)

// Every decoder of stored values must refuse damaged bytes with an error,
// never a panic, in plain and encrypted journals alike.

func fuzzStores(t testing.TB) []*Store {
	sealed, err := newCodec(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return []*Store{{}, {codec: sealed}}
}

func FuzzDecodeEntry(f *testing.F) {
	for _, s := range fuzzStores(f) {
		e := journal.Entry{ID: "01ARZ3NDEKTSV4RRFFQ69G5FAV", Created: time.Unix(1e9, 0), Text: "seed", Tags: []string{"a"}}
		v, err := s.encodeEntry([]byte(e.ID), e)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(v)
	}
	f.Add([]byte{0, '{', '"', 't'})
	f.Add([]byte{1})
	f.Add([]byte{})
	stores := fuzzStores(f)
	f.Fuzz(func(t *testing.T, v []byte) {
		for _, s := range stores {
			e, err := s.decodeEntry([]byte("01ARZ3NDEKTSV4RRFFQ69G5FAV"), v)
			if err == nil && e.ID != "01ARZ3NDEKTSV4RRFFQ69G5FAV" {
				t.Fatalf("decoded entry has id %q", e.ID)
			}
		}
	})
}

func FuzzDecodeEmbedding(f *testing.F) {
	f.Add(encodeEmbedding(journal.Embedding{Model: "m", Dim: 2, Vector: []float32{1, 2}}))
	f.Add([]byte{255, 255})
	f.Add([]byte{0, 0, 255, 255, 255, 255})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeEmbedding(b)
		if err == nil && m.Dim != len(m.Vector) {
			t.Fatalf("dimension %d with %d values", m.Dim, len(m.Vector))
		}
		if err == nil && !bytes.Equal(encodeEmbedding(m), b) {
			t.Fatal("decode/encode does not round-trip")
		}
	})
}

func FuzzUnwrapKey(f *testing.F) {
	cm, err := newCryptoMeta([]byte("pass"), bytes.Repeat([]byte{1}, 32), KDFParams{Time: 1, MemoryKiB: 64, Threads: 1})
	if err != nil {
		f.Fatal(err)
	}
	raw, _ := cm.marshal()
	f.Add(raw, []byte("pass"))
	f.Add([]byte(`{"algorithm":"xchacha20poly1305","kdf":"argon2id","params":{"time":1,"memory_kib":8,"threads":1}}`), []byte("x"))
	f.Fuzz(func(t *testing.T, raw, pass []byte) {
		var m cryptoMeta
		if json.Unmarshal(raw, &m) != nil {
			return
		}
		// Keep the fuzzer fast: costly parameters are not what is tested here.
		if m.Params.MemoryKiB > 1024 || m.Params.Time > 2 {
			return
		}
		m.unwrap(pass)
	})
}
