package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/samojournal/samo/journal"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// timeKey is the timeline key of an entry: its creation time as 8 bytes that
// sort like the time (the sign bit flipped), then its id.
func timeKey(t time.Time, id string) []byte {
	k := make([]byte, 8, 8+len(id))
	binary.BigEndian.PutUint64(k, uint64(t.UnixNano())^(1<<63))
	return append(k, id...)
}

// timePrefix is the first timeline key at or after t.
func timePrefix(t time.Time) []byte { return timeKey(t, "") }

// Put implements journal.Store: the entry, its timeline key, its embedding
// and, with PutWithAudio, its recording in one synced transaction. The entry
// is validated first, so a bad value fails here, not in a later read.
//
// Put compares revisions in the same transaction: when an entry with e.ID
// is stored at a revision other than e.Revision, it fails with an error
// wrapping journal.ErrConflict and changes nothing; otherwise the entry is
// stored at revision e.Revision+1. A stored value too damaged to decode has
// no revision to compare: Put replaces it, which is how it is repaired.
func (s *Store) Put(ctx context.Context, e journal.Entry) error {
	return s.PutWithAudio(ctx, e, nil)
}

// PutWithAudio is Put that also stores the entry's recording in the same
// transaction, with Put's revision check; nil audio leaves any stored
// recording as it is.
func (s *Store) PutWithAudio(ctx context.Context, e journal.Entry, audio []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := e.Validate(); err != nil {
		return fmt.Errorf("storage: save entry: %w", err)
	}
	err := s.update(func(tx *bolt.Tx) error { return s.putTx(tx, e, audio, true) })
	if err != nil {
		return fmt.Errorf("storage: save entry %s: %w", e.ID, err)
	}
	return nil
}

// PutMany saves entries in one transaction: all of them or, on any error,
// none. Imports use it, so that thousands of entries cost one sync. audio,
// which may be nil, maps entry ids to their recordings. The entries are
// stored at the revisions they carry, without Put's revision check.
func (s *Store) PutMany(ctx context.Context, es []journal.Entry, audio map[string][]byte) error {
	for _, e := range es {
		if err := e.Validate(); err != nil {
			return fmt.Errorf("storage: save entries: %w", err)
		}
	}
	err := s.update(func(tx *bolt.Tx) error {
		for _, e := range es {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := s.putTx(tx, e, audio[e.ID], false); err != nil {
				return fmt.Errorf("entry %s: %w", e.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("storage: save %d entries: %w", len(es), err)
	}
	return nil
}

// putTx stores e inside tx. With checkRevision (Put) it refuses an entry
// whose stored revision is not e.Revision and stores it at e.Revision+1;
// without (PutMany) it stores e at the revision it carries.
func (s *Store) putTx(tx *bolt.Tx, e journal.Entry, audio []byte, checkRevision bool) error {
	if s.putFault != nil {
		if err := s.putFault(e); err != nil {
			return err
		}
	}
	id := []byte(e.ID)
	entries, timeline := tx.Bucket(bucketEntries), tx.Bucket(bucketTimeline)
	// The stored entry, decoded once: its revision for the check, and its
	// creation time, which may change on import, to drop its timeline key.
	if old := entries.Get(id); old != nil {
		prev, err := s.decodeEntry(id, old)
		known := err == nil
		if checkRevision && known && prev.Revision != e.Revision {
			return fmt.Errorf("stored at revision %d, not %d: %w", prev.Revision, e.Revision, journal.ErrConflict)
		}
		if err := dropTimelineOf(tx, id, prev, known); err != nil {
			return err
		}
	} else if checkRevision && e.Revision != 0 {
		// it was read at a revision, and deleted since: not brought back
		return fmt.Errorf("deleted meanwhile: %w", journal.ErrNotFound)
	}
	if checkRevision {
		e.Revision++
	}
	v, err := s.encodeEntry(id, e)
	if err != nil {
		return err
	}
	if err := entries.Put(id, v); err != nil {
		return err
	}
	if err := timeline.Put(timeKey(e.Created, e.ID), nil); err != nil {
		return err
	}
	emb := tx.Bucket(bucketEmbeddings)
	if e.Embedding == nil {
		if err := emb.Delete(id); err != nil {
			return err
		}
	} else {
		v, err := s.codec.seal(bucketEmbeddings, id, encodeEmbedding(*e.Embedding))
		if err != nil {
			return err
		}
		if err := emb.Put(id, v); err != nil {
			return err
		}
	}
	if audio != nil {
		v, err := s.codec.seal(bucketAudio, id, audio)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketAudio).Put(id, v); err != nil {
			return err
		}
	}
	return nil
}

// dropTimeline removes the timeline key of the entry with id, whose stored
// value is old. When old cannot be decoded (a damaged value), its creation
// time is unknown, so the timeline is searched for the id: a key left behind
// would make every later listing fail on the missing entry.
func (s *Store) dropTimeline(tx *bolt.Tx, id, old []byte) error {
	prev, err := s.decodeEntry(id, old)
	return dropTimelineOf(tx, id, prev, err == nil)
}

// dropTimelineOf is dropTimeline for a stored value already decoded into
// prev; known is false when it could not be decoded.
func dropTimelineOf(tx *bolt.Tx, id []byte, prev journal.Entry, known bool) error {
	timeline := tx.Bucket(bucketTimeline)
	if known {
		return timeline.Delete(timeKey(prev.Created, string(id)))
	}
	_, err := dropTimelineKeys(tx, id)
	return err
}

// dropTimelineKeys removes every timeline key of the entry id, searching
// the whole timeline; dropped says whether there were any.
func dropTimelineKeys(tx *bolt.Tx, id []byte) (dropped bool, err error) {
	timeline := tx.Bucket(bucketTimeline)
	stale := timelineKeys(timeline, id)
	for _, k := range stale {
		if err := timeline.Delete(k); err != nil {
			return false, err
		}
	}
	return len(stale) > 0, nil
}

// timelineKeys returns the timeline keys of the entry id (there is one,
// unless the journal is damaged), searching the whole timeline.
func timelineKeys(timeline *bolt.Bucket, id []byte) [][]byte {
	var keys [][]byte
	c := timeline.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if len(k) >= 8 && bytes.Equal(k[8:], id) {
			keys = append(keys, bytes.Clone(k))
		}
	}
	return keys
}

// Get implements journal.Store; the entry comes with its embedding.
func (s *Store) Get(ctx context.Context, id string) (journal.Entry, error) {
	if err := ctx.Err(); err != nil {
		return journal.Entry{}, err
	}
	var e journal.Entry
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketEntries).Get([]byte(id))
		if v == nil {
			return fmt.Errorf("entry %s: %w", id, journal.ErrNotFound)
		}
		var err error
		if e, err = s.decodeEntry([]byte(id), v); err != nil {
			return err
		}
		return s.withEmbedding(tx, &e)
	})
	if errors.Is(err, ErrDamaged) {
		err = fmt.Errorf("%w; %s", err, RepairHint)
	}
	return e, err
}

// Audio returns the stored recording of an entry, or ErrNotFound.
func (s *Store) Audio(ctx context.Context, id string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []byte
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketAudio).Get([]byte(id))
		if v == nil {
			return fmt.Errorf("audio of entry %s: %w", id, journal.ErrNotFound)
		}
		pt, err := s.codec.open(bucketAudio, []byte(id), v)
		out = bytes.Clone(pt)
		return err
	})
	return out, err
}

// Delete removes an entry with its timeline key, embedding and audio.
func (s *Store) Delete(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.update(func(tx *bolt.Tx) error {
		k := []byte(id)
		v := tx.Bucket(bucketEntries).Get(k)
		if v == nil {
			// A timeline key left without its entry is damage too: drop it.
			if dropped, err := dropTimelineKeys(tx, k); err != nil || dropped {
				return err
			}
			return fmt.Errorf("entry %s: %w", id, journal.ErrNotFound)
		}
		if err := s.dropTimeline(tx, k, v); err != nil {
			return err
		}
		for _, b := range [][]byte{bucketEntries, bucketEmbeddings, bucketAudio} {
			if err := tx.Bucket(b).Delete(k); err != nil {
				return err
			}
		}
		return nil
	}, id)
	if err != nil {
		return fmt.Errorf("storage: delete entry %s: %w", id, err)
	}
	s.repaired(id)
	return nil
}

// List implements journal.Store: newest first by creation time, within
// [q.From, q.To) when they are set, after the cursor q.Before.
//
// An entry that cannot be read (see damage.go) is left out (one whose
// embedding cannot be, listed without it), and reported to the OnDamage
// function.
func (s *Store) List(ctx context.Context, q journal.Query) ([]journal.Entry, error) {
	var out []journal.Entry
	var skipped []string
	err := s.view(func(tx *bolt.Tx) error {
		entries := tx.Bucket(bucketEntries)
		c := tx.Bucket(bucketTimeline).Cursor()
		var k []byte
		switch {
		case q.Before != "":
			v := entries.Get([]byte(q.Before))
			if v == nil {
				return fmt.Errorf("cursor entry %s: %w", q.Before, journal.ErrNotFound)
			}
			var at []byte
			if b, err := s.decodeEntry([]byte(q.Before), v); err == nil {
				at = timeKey(b.Created, q.Before)
			} else if keys := timelineKeys(tx.Bucket(bucketTimeline), []byte(q.Before)); len(keys) > 0 {
				at = keys[0] // a damaged cursor entry: its place in the timeline
			} else {
				return err
			}
			k = seekBefore(c, at)
		case !q.To.IsZero():
			k = seekBefore(c, timePrefix(q.To))
		default:
			k, _ = c.Last()
		}
		var from []byte
		if !q.From.IsZero() {
			from = timePrefix(q.From)
		}
		for ; k != nil; k, _ = c.Prev() {
			if q.Limit > 0 && len(out) >= q.Limit {
				break
			}
			if from != nil && bytes.Compare(k, from) < 0 {
				break
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			id := k[8:]
			e, err := s.decodeEntry(id, entries.Get(id))
			if errors.Is(err, ErrDamaged) {
				skipped = append(skipped, string(id))
				continue
			}
			if err != nil {
				return err
			}
			if q.WithEmbeddings {
				if err := s.withEmbedding(tx, &e); err != nil {
					return err
				}
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: list entries: %w", err)
	}
	s.leftOut(skipped)
	return out, nil
}

// seekBefore positions c on the last key strictly before k.
func seekBefore(c *bolt.Cursor, k []byte) []byte {
	got, _ := c.Seek(k)
	if got == nil {
		got, _ = c.Last()
	}
	for got != nil && bytes.Compare(got, k) >= 0 {
		got, _ = c.Prev()
	}
	return got
}

// Each calls f for every entry, oldest first, with its embedding, inside one
// read transaction (a consistent view); it stops at f's first error.
func (s *Store) Each(ctx context.Context, f func(journal.Entry) error) error {
	return s.each(ctx, false, func(e journal.Entry, _ []byte) error { return f(e) })
}

// EachWithAudio is Each that also passes each entry's recording (nil when
// it has none), from the same consistent read transaction. Exports use it.
func (s *Store) EachWithAudio(ctx context.Context, f func(journal.Entry, []byte) error) error {
	return s.each(ctx, true, f)
}

// each is Each and EachWithAudio. An entry whose value cannot be read is
// left out, one whose embedding or (withAudio) recording cannot be read
// goes without it; either is reported to the OnDamage function once the
// walk is over.
func (s *Store) each(ctx context.Context, withAudio bool, f func(journal.Entry, []byte) error) error {
	var skipped []string
	defer func() { s.leftOut(skipped) }()
	return s.view(func(tx *bolt.Tx) error {
		entries, audio := tx.Bucket(bucketEntries), tx.Bucket(bucketAudio)
		c := tx.Bucket(bucketTimeline).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			id := k[8:]
			e, err := s.decodeEntry(id, entries.Get(id))
			if errors.Is(err, ErrDamaged) {
				skipped = append(skipped, string(id))
				continue
			}
			if err != nil {
				return err
			}
			// A damaged embedding or recording: the entry goes on without it.
			if err := s.withEmbedding(tx, &e); err != nil {
				return err
			}
			var data []byte
			if v := audio.Get(id); withAudio && v != nil {
				if data, err = s.codec.open(bucketAudio, id, v); errors.Is(err, ErrDamaged) {
					skipped, data = append(skipped, string(id)), nil
				} else if err != nil {
					return err
				}
			}
			if err := callUser(f, e, data); err != nil {
				return err
			}
		}
		return nil
	})
}

// Has reports whether an entry with the given id exists.
func (s *Store) Has(id string) bool {
	found := false
	s.view(func(tx *bolt.Tx) error {
		found = tx.Bucket(bucketEntries).Get([]byte(id)) != nil
		return nil
	})
	return found
}

// Count implements journal.Store.
func (s *Store) Count(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var n int
	err := s.view(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketEntries).Stats().KeyN
		return nil
	})
	return n, err
}

// encodeEntry is the stored value of an entry: JSON without the id (it is
// the key) and the embedding (its own bucket), sealed.
func (s *Store) encodeEntry(id []byte, e journal.Entry) ([]byte, error) {
	e.ID, e.Embedding = "", nil
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("encode entry %s: %w", id, err)
	}
	return s.codec.seal(bucketEntries, id, b)
}

// decodeEntry reverses encodeEntry. Damaged input gives ErrDamaged, never a panic.
func (s *Store) decodeEntry(id, v []byte) (journal.Entry, error) {
	if v == nil {
		return journal.Entry{}, fmt.Errorf("%w: entry %s is in the timeline but missing", ErrDamaged, id)
	}
	pt, err := s.codec.open(bucketEntries, id, v)
	if err != nil {
		return journal.Entry{}, err
	}
	var e journal.Entry
	if err := json.Unmarshal(pt, &e); err != nil {
		return journal.Entry{}, fmt.Errorf("%w: entry %s: %v", ErrDamaged, id, err)
	}
	e.ID = string(id)
	return e, nil
}

// withEmbedding attaches e's embedding, or leaves e without it when the
// embedding is damaged: it is derived from the text, and a new one (samo
// reindex, which embeds the entries without one) replaces it, so it is not
// counted as a damaged entry; samo doctor reports it.
func (s *Store) withEmbedding(tx *bolt.Tx, e *journal.Entry) error {
	if err := s.attachEmbedding(tx, e); err != nil && !errors.Is(err, ErrDamaged) {
		return err
	}
	return nil
}

// attachEmbedding attaches e's embedding, if it has one.
func (s *Store) attachEmbedding(tx *bolt.Tx, e *journal.Entry) error {
	v := tx.Bucket(bucketEmbeddings).Get([]byte(e.ID))
	if v == nil {
		return nil
	}
	pt, err := s.codec.open(bucketEmbeddings, []byte(e.ID), v)
	if err != nil {
		return err
	}
	emb, err := decodeEmbedding(pt)
	if err != nil {
		return fmt.Errorf("%w: embedding of %s: %v", ErrDamaged, e.ID, err)
	}
	e.Embedding = &emb
	return nil
}

// encodeEmbedding: model name length (uint16), model name, dimension
// (uint32), the vector as little-endian float32, then the model version's
// length (uint16) and the version (absent in values written before
// versions were kept, read as "").
func encodeEmbedding(m journal.Embedding) []byte {
	b := make([]byte, 0, 2+len(m.Model)+4+4*len(m.Vector)+2+len(m.Version))
	b = binary.LittleEndian.AppendUint16(b, uint16(len(m.Model)))
	b = append(b, m.Model...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(m.Vector)))
	for _, x := range m.Vector {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	b = binary.LittleEndian.AppendUint16(b, uint16(len(m.Version)))
	return append(b, m.Version...)
}

func decodeEmbedding(b []byte) (journal.Embedding, error) {
	if len(b) < 2 {
		return journal.Embedding{}, fmt.Errorf("too short")
	}
	n := int(binary.LittleEndian.Uint16(b))
	b = b[2:]
	if len(b) < n+4 {
		return journal.Embedding{}, fmt.Errorf("too short for a %d-byte model name", n)
	}
	m := journal.Embedding{Model: string(b[:n])}
	b = b[n:]
	dim := binary.LittleEndian.Uint32(b)
	b = b[4:]
	if uint64(len(b)) < 4*uint64(dim) {
		return journal.Embedding{}, fmt.Errorf("%d bytes for dimension %d", len(b), dim)
	}
	m.Dim = int(dim)
	m.Vector = make([]float32, dim)
	for i := range m.Vector {
		m.Vector[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	if rest := b[4*dim:]; len(rest) > 0 {
		if len(rest) < 2 || len(rest) != 2+int(binary.LittleEndian.Uint16(rest)) {
			return journal.Embedding{}, fmt.Errorf("%d bytes after the vector, not a version", len(rest))
		}
		m.Version = string(rest[2:])
	}
	return m, nil
}
