package journal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
)

// Exported is an entry with its recording's bytes (nil when it has none):
// what exports carry and imports read. Its JSON is the entry's own fields
// plus "audio_data".
type Exported struct {
	Entry
	// AudioData holds the recording's bytes.
	AudioData []byte
}

// entryFields is Entry without its methods, so that Exported's JSON keeps
// the entry's fields flat even if Entry gains its own MarshalJSON.
type entryFields Entry

// exportedJSON is Exported as it is written in an export document.
type exportedJSON struct {
	entryFields
	AudioData []byte `json:"audio_data,omitempty"`
}

// MarshalJSON writes the entry's fields and "audio_data".
func (e Exported) MarshalJSON() ([]byte, error) {
	return json.Marshal(exportedJSON{entryFields(e.Entry), e.AudioData})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (e *Exported) UnmarshalJSON(data []byte) error {
	var v exportedJSON
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*e = Exported{Entry: Entry(v.entryFields), AudioData: v.AudioData}
	return nil
}

var errStop = errors.New("stop")

// Export yields every entry with its recording, oldest first (for a
// lossless export); an error ends it.
func (s *Service) Export(ctx context.Context) iter.Seq2[Exported, error] {
	return func(yield func(Exported, error) bool) {
		each := func(f func(Entry, []byte) error) error {
			return s.store.Each(ctx, func(e Entry) error { return f(e, nil) })
		}
		if as, ok := s.store.(AudioStore); ok {
			each = func(f func(Entry, []byte) error) error { return as.EachWithAudio(ctx, f) }
		}
		err := each(func(e Entry, audio []byte) error {
			if !yield(Exported{Entry: e, AudioData: audio}, nil) {
				return errStop
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStop) {
			yield(Exported{}, fmt.Errorf("journal: export: %w", err))
		}
	}
}

// Entries yields every entry, oldest first; an error ends it.
func (s *Service) Entries(ctx context.Context) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		err := s.store.Each(ctx, func(e Entry) error {
			if !yield(e, nil) {
				return errStop
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStop) {
			yield(Entry{}, fmt.Errorf("journal: entries: %w", err))
		}
	}
}

// ImportBatch is how many entries one import transaction saves.
const ImportBatch = 500

// Imported counts what Import did.
type Imported struct {
	// Added entries are new; Present ones were already in the journal (by
	// id) and were left as they are.
	Added, Present int
}

// ErrNoImport means the Store cannot import entries.
var ErrNoImport = errors.New("journal: this journal cannot import entries")

// Import saves items in batches of ImportBatch, each one transaction,
// skipping ids already in the journal (an item whose id is not a SAMO id
// gets a new one and keeps the old as ImportedID); on an error the batches before it
// stay saved. progress (when not nil) gets the entries done of the total
// after each batch.
func (s *Service) Import(ctx context.Context, items []Exported, progress func(done, total int)) (Imported, error) {
	bs, ok := s.store.(BatchStore)
	if !ok {
		return Imported{}, ErrNoImport
	}
	var (
		n     Imported
		batch []Entry
	)
	audio := map[string][]byte{}
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("journal: import: stopped: %w", err)
		}
		s.embedMissing(ctx, batch)
		if err := bs.PutMany(ctx, batch, audio); err != nil {
			return fmt.Errorf("journal: import: %w", err)
		}
		for _, e := range batch {
			s.lane.put(e)
		}
		n.Added += len(batch)
		batch, audio = batch[:0], map[string][]byte{}
		if progress != nil {
			progress(n.Added+n.Present, len(items))
		}
		return nil
	}
	seen := map[string]bool{}
	for i, it := range items {
		adoptID(&it.Entry) // a foreign id is kept as ImportedID, never used as a key
		if it.ID != "" && (seen[it.ID] || bs.Has(it.ID)) {
			n.Present++
			continue
		}
		seen[it.ID] = true
		e, err := Prepare(it.Entry, s.now)
		if err != nil {
			return n, fmt.Errorf("journal: import entry %d: %w", i+1, err)
		}
		batch = append(batch, e)
		if it.AudioData != nil {
			audio[e.ID] = it.AudioData
		}
		if len(batch) >= ImportBatch {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	return n, flush()
}
