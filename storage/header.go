package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// A backup is checked before it is copied or opened: bbolt maps the file
// into memory and trusts its meta pages, so a file shorter than the pages
// its meta claims faults (SIGBUS) on the first read past its end, and a
// device such as /dev/zero has no end at all.

// bbolt's file format (version 2): each page starts with a 16-byte header
// (id uint64, flags uint16, count uint16, overflow uint32); pages 0 and 1
// are meta pages, whose body is magic, version, page size, flags (uint32
// each), the root bucket (root page, sequence), the freelist page, the
// high-water page id, the transaction id and an FNV-64a checksum of the
// bytes before it (uint64 each), all little-endian.
const (
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	pageHeaderSize = 16
	metaSize       = 64
	metaPageFlag   = 0x04
	minPageSize    = 512
	maxPageSize    = 64 << 10
)

// errNotBackup is wrapped by checkBackup's errors.
var errNotBackup = errors.New("not a SAMO journal or backup")

// boltMeta is what checkBackup reads of a meta page.
type boltMeta struct {
	pageSize, pages, txid uint64
}

// readMeta reads and checks the meta page at off; pageSize is 0 when the
// page size is still unknown (page 0).
func readMeta(f io.ReaderAt, off int64) (boltMeta, error) {
	var b [pageHeaderSize + metaSize]byte
	if _, err := f.ReadAt(b[:], off); err != nil {
		return boltMeta{}, fmt.Errorf("meta page at %d: %w", off, err)
	}
	le := binary.LittleEndian
	if flags := le.Uint16(b[8:]); flags&metaPageFlag == 0 {
		return boltMeta{}, fmt.Errorf("meta page at %d: flags %#x, not a meta page", off, flags)
	}
	m := b[pageHeaderSize:]
	if magic := le.Uint32(m); magic != boltMagic {
		return boltMeta{}, fmt.Errorf("meta page at %d: magic %#x", off, magic)
	}
	if v := le.Uint32(m[4:]); v != boltVersion {
		return boltMeta{}, fmt.Errorf("meta page at %d: format version %d, not %d", off, v, boltVersion)
	}
	h := fnv.New64a()
	h.Write(m[:56])
	if sum := le.Uint64(m[56:]); sum != h.Sum64() {
		return boltMeta{}, fmt.Errorf("meta page at %d: checksum mismatch", off)
	}
	meta := boltMeta{pageSize: uint64(le.Uint32(m[8:])), pages: le.Uint64(m[40:]), txid: le.Uint64(m[48:])}
	ps := meta.pageSize
	if ps < minPageSize || ps > maxPageSize || ps&(ps-1) != 0 {
		return boltMeta{}, fmt.Errorf("meta page at %d: page size %d", off, ps)
	}
	root, freelist := le.Uint64(m[16:]), le.Uint64(m[32:])
	if meta.pages < 4 || root < 2 || root >= meta.pages || (freelist >= meta.pages && freelist != ^uint64(0)) {
		return boltMeta{}, fmt.Errorf("meta page at %d: pages %d, root %d, freelist %d do not fit", off, meta.pages, root, freelist)
	}
	return meta, nil
}

// checkBackup checks that f is a regular file holding a bbolt database
// whose meta pages are sound and whose size covers the pages they claim,
// and returns its size. The full consistency check follows once it is
// copied (restoreLocked).
func checkBackup(f *os.File) (int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	switch {
	case fi.IsDir():
		return 0, fmt.Errorf("%w: it is a folder", errNotBackup)
	case !fi.Mode().IsRegular():
		kind := "a special file"
		switch t := fi.Mode().Type(); {
		case t&os.ModeDevice != 0:
			kind = "a device"
		case t&os.ModeNamedPipe != 0:
			kind = "a pipe"
		case t&os.ModeSocket != 0:
			kind = "a socket"
		}
		return 0, fmt.Errorf("%w: it is not a regular file but %s", errNotBackup, kind)
	case fi.Size() == 0:
		return 0, fmt.Errorf("%w: the file is empty", errNotBackup)
	case fi.Size() < 4*minPageSize:
		return 0, fmt.Errorf("%w: %d bytes is too short", errNotBackup, fi.Size())
	}
	size := uint64(fi.Size())
	var metas []boltMeta
	var problems []error
	m0, err := readMeta(f, 0)
	if err == nil {
		metas = append(metas, m0)
	} else {
		problems = append(problems, err)
	}
	// Page 1 is at the page size page 0 gives, else at the sizes bbolt uses.
	offs := []int64{4096, 16384, 65536, 1024, 2048, 8192, 32768, 512}
	if err == nil {
		offs = []int64{int64(m0.pageSize)}
	}
	for _, off := range offs {
		if uint64(off)+pageHeaderSize+metaSize > size {
			continue
		}
		if m1, err := readMeta(f, off); err == nil && uint64(off) == m1.pageSize {
			metas = append(metas, m1)
			break
		} else if len(offs) == 1 {
			problems = append(problems, err)
		}
	}
	if len(metas) == 0 {
		return 0, fmt.Errorf("%w: %w", errNotBackup, errors.Join(problems...))
	}
	// bbolt uses the valid meta of the later transaction.
	m := metas[0]
	for _, x := range metas[1:] {
		if x.txid > m.txid {
			m = x
		}
	}
	if need := m.pages * m.pageSize; need > size || m.pages > size/m.pageSize {
		return 0, fmt.Errorf("%w: the file is cut short: %d bytes, its pages need %d", ErrDamaged, size, need)
	}
	return fi.Size(), nil
}
