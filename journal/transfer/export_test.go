package transfer

import (
	"io"
	"time"

	"github.com/samojournal/samo/journal"
)

// The importers with a smaller input limit, to test the limit without
// reading a gigabyte.

func ReadJSONLimit(r io.Reader, limit int64) ([]Exported, Report, error) {
	return readJSON(r, limit)
}

func ReadJrnlLimit(r io.Reader, loc *time.Location, limit int64) ([]journal.Entry, Report, error) {
	return readJrnl(r, loc, limit)
}

func ReadDayOneLimit(r io.Reader, limit int64) ([]journal.Entry, Report, error) {
	return readDayOne(r, limit)
}
