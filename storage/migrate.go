package storage

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/samojournal/samo/journal"
)

// A migration upgrades a journal from schema version `from` to from+1 inside
// the caller's transaction: it commits whole or not at all, so a crash
// mid-upgrade leaves the older journal as it was.
type migration struct {
	from int
	name string
	run  func(tx *bolt.Tx, c codec) error
}

// migrations, in order. Add one for every change of layout and raise
// SchemaVersion; never edit one that has shipped.
var migrations = []migration{
	{from: 1, name: "format byte on values, timeline, embeddings and audio buckets", run: migrate1to2},
	{from: 2, name: "records bucket", run: migrate2to3},
}

// migrate upgrades tx's journal from version to SchemaVersion.
func migrate(tx *bolt.Tx, version int, c codec) error {
	for _, m := range migrations {
		if m.from < version {
			continue
		}
		if m.from != version {
			return fmt.Errorf("storage: no migration from schema %d", version)
		}
		if err := m.run(tx, c); err != nil {
			return fmt.Errorf("storage: migrate schema %d → %d (%s): %w", m.from, m.from+1, m.name, err)
		}
		version++
		if err := tx.Bucket(bucketMeta).Put(keySchema, []byte(strconv.Itoa(version))); err != nil {
			return err
		}
	}
	if version != SchemaVersion {
		return fmt.Errorf("storage: migrations stop at schema %d, want %d", version, SchemaVersion)
	}
	return nil
}

// migrate1to2: schema 1 kept entries as bare JSON {created, updated, text}
// keyed by id, with no timeline.
func migrate1to2(tx *bolt.Tx, c codec) error {
	for _, b := range [][]byte{bucketTimeline, bucketEmbeddings, bucketAudio} {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	entries := tx.Bucket(bucketEntries)
	if entries == nil {
		return fmt.Errorf("%w: no entries bucket", ErrDamaged)
	}
	type v1 struct {
		Created time.Time `json:"created"`
		Updated time.Time `json:"updated"`
		Text    string    `json:"text"`
	}
	type kv struct{ k, v []byte }
	var upgraded []kv
	timeline := tx.Bucket(bucketTimeline)
	err := entries.ForEach(func(k, v []byte) error {
		var r v1
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("%w: entry %s: %v", ErrDamaged, k, err)
		}
		b, err := json.Marshal(journal.Entry{Created: r.Created, Updated: r.Updated, Text: r.Text})
		if err != nil {
			return err
		}
		sealed, err := c.seal(bucketEntries, k, b)
		if err != nil {
			return err
		}
		upgraded = append(upgraded, kv{append([]byte(nil), k...), sealed})
		return timeline.Put(timeKey(r.Created, string(k)), nil)
	})
	if err != nil {
		return err
	}
	// Written after the walk: bbolt forbids changing a bucket while iterating it.
	for _, x := range upgraded {
		if err := entries.Put(x.k, x.v); err != nil {
			return err
		}
	}
	return nil
}

// migrate2to3 adds the records bucket (named records beside the entries).
// Schema 2 had none; raising the version also keeps a SAMO that knows no
// records from opening the journal, where its encryption switch would leave
// them as they were.
func migrate2to3(tx *bolt.Tx, _ codec) error {
	_, err := tx.CreateBucketIfNotExists(bucketRecords)
	return err
}
