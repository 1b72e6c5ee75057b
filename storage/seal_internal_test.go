package storage

import (
	"encoding/json"
	"errors"
	"testing"
)

// The key record's checksum is taken over the record as stored: one
// written by a later SAMO, with a member this one does not know, still
// checks; a changed byte does not.
func TestKeyRecord_ChecksumCoversWhatWasStored(t *testing.T) {
	m, err := newCryptoMeta([]byte("pass"), make([]byte, 32), KDFParams{Time: 1, MemoryKiB: 8, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	// A later SAMO's record: one more member, checksummed by the same rule.
	var members map[string]any
	b, _ := json.Marshal(m)
	json.Unmarshal(b, &members)
	members["rotation"] = map[string]any{"every_days": 90}
	delete(members, "check")
	later, _ := json.Marshal(members)
	sum := cryptoMeta{stored: later}.sum()
	members["check"] = sum
	later, _ = json.Marshal(members)

	var read cryptoMeta
	if err := json.Unmarshal(later, &read); err != nil {
		t.Fatal(err)
	}
	read.stored = later
	if _, err := read.unwrap([]byte("pass")); err != nil {
		t.Errorf("a later SAMO's key record does not open: %v", err)
	}
	// The same record with its salt changed fails its checksum.
	read.Salt[0] ^= 1
	damaged, _ := json.Marshal(read)
	var again cryptoMeta
	json.Unmarshal(damaged, &again)
	again.stored = damaged
	if _, err := again.unwrap([]byte("pass")); err == nil || !errors.Is(err, ErrKeyRecordDamaged) {
		t.Errorf("a changed record: %v, want ErrKeyRecordDamaged", err)
	}
}
