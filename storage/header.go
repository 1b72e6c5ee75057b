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
	pageSize, pages, txid, root uint64
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
	meta := boltMeta{pageSize: uint64(le.Uint32(m[8:])), pages: le.Uint64(m[40:]), txid: le.Uint64(m[48:]), root: le.Uint64(m[16:])}
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

// Page kinds and the leaf flag of a nested bucket, in bbolt's format.
const (
	branchPageFlag  = 0x01
	leafPageFlag    = 0x02
	bucketLeafFlag  = 0x01
	elementSize     = 16
	bucketHeaderLen = 16
)

// checkTree walks every branch and leaf page reachable from the root of
// the newest sound meta page of the file f, reading the file (not bbolt's
// memory map), and checks that each page names itself, has a branch or leaf
// kind, lies inside the file and the high-water mark, and that every
// element's key and value lie inside its page. bbolt's own consistency
// check runs on a goroutine of its own, where a read past the map's end
// (an element pointing outside its page) is a fault no recover can catch:
// this walk comes first, so that it never meets one.
func checkTree(f *os.File) error {
	_, err := inUse(f)
	return err
}

// inUse walks the tree as checkTree does and returns every page it reaches
// (overflow pages included): the pages that hold the journal, which must
// never be taken for free ones.
func inUse(f *os.File) (map[uint64]bool, error) {
	size, err := checkBackup(f)
	if err != nil {
		return nil, err
	}
	m, err := newestMeta(f)
	if err != nil {
		return nil, err
	}
	w := treeWalk{f: f, meta: m, size: uint64(size), seen: map[uint64]bool{}}
	if err := w.page(m.root, 0); err != nil {
		return nil, err
	}
	return w.seen, nil
}

// newestMeta is the sound meta page bbolt uses: the later of the two.
func newestMeta(f io.ReaderAt) (boltMeta, error) {
	m0, err0 := readMeta(f, 0)
	if err0 != nil {
		return readMeta(f, 4096)
	}
	m1, err1 := readMeta(f, int64(m0.pageSize))
	if err1 == nil && m1.txid > m0.txid {
		return m1, nil
	}
	return m0, nil
}

type treeWalk struct {
	f    io.ReaderAt
	meta boltMeta
	size uint64
	seen map[uint64]bool
}

// page checks the page id and the tree below it.
func (w *treeWalk) page(id uint64, depth int) error {
	if depth > 64 {
		return fmt.Errorf("%w: page %d: the tree is deeper than any journal's", ErrDamaged, id)
	}
	if id < 2 || id >= w.meta.pages {
		return fmt.Errorf("%w: page %d is outside the file's %d pages", ErrDamaged, id, w.meta.pages)
	}
	if w.seen[id] {
		return fmt.Errorf("%w: page %d is reached twice", ErrDamaged, id)
	}
	w.seen[id] = true
	ps := w.meta.pageSize
	var h [pageHeaderSize]byte
	if _, err := w.f.ReadAt(h[:], int64(id*ps)); err != nil {
		return fmt.Errorf("%w: page %d: %v", ErrDamaged, id, err)
	}
	le := binary.LittleEndian
	if self := le.Uint64(h[:]); self != id {
		return fmt.Errorf("%w: page %d names itself %d", ErrDamaged, id, self)
	}
	overflow := uint64(le.Uint32(h[12:]))
	if id+overflow >= w.meta.pages || (id+overflow+1)*ps > w.size {
		return fmt.Errorf("%w: page %d runs past the end of the file", ErrDamaged, id)
	}
	for o := id + 1; o <= id+overflow; o++ {
		if w.seen[o] {
			return fmt.Errorf("%w: page %d is reached twice", ErrDamaged, o)
		}
		w.seen[o] = true
	}
	b := make([]byte, (overflow+1)*ps)
	if _, err := w.f.ReadAt(b, int64(id*ps)); err != nil {
		return fmt.Errorf("%w: page %d: %v", ErrDamaged, id, err)
	}
	return w.elements(id, b, depth)
}

// elements checks the elements of page b (id, or 0 for an inline bucket's
// page) and walks the pages they lead to.
func (w *treeWalk) elements(id uint64, b []byte, depth int) error {
	le := binary.LittleEndian
	if len(b) < pageHeaderSize {
		return fmt.Errorf("%w: page %d is too short", ErrDamaged, id)
	}
	flags, count := le.Uint16(b[8:]), uint64(le.Uint16(b[10:]))
	if flags != branchPageFlag && flags != leafPageFlag {
		return fmt.Errorf("%w: page %d has kind %#x, not a branch or leaf", ErrDamaged, id, flags)
	}
	if pageHeaderSize+count*elementSize > uint64(len(b)) {
		return fmt.Errorf("%w: page %d: %d elements do not fit", ErrDamaged, id, count)
	}
	for i := range count {
		at := pageHeaderSize + i*elementSize
		e := b[at : at+elementSize]
		if flags == branchPageFlag {
			pos, ksize := uint64(le.Uint32(e)), uint64(le.Uint32(e[4:]))
			if at+pos+ksize > uint64(len(b)) {
				return fmt.Errorf("%w: page %d: element %d lies outside its page", ErrDamaged, id, i)
			}
			if err := w.page(le.Uint64(e[8:]), depth+1); err != nil {
				return err
			}
			continue
		}
		eflags, pos, ksize, vsize := le.Uint32(e), uint64(le.Uint32(e[4:])), uint64(le.Uint32(e[8:])), uint64(le.Uint32(e[12:]))
		end := at + pos + ksize + vsize
		if end > uint64(len(b)) {
			return fmt.Errorf("%w: page %d: element %d lies outside its page", ErrDamaged, id, i)
		}
		if eflags&bucketLeafFlag == 0 {
			continue
		}
		v := b[at+pos+ksize : end]
		if len(v) < bucketHeaderLen {
			return fmt.Errorf("%w: page %d: bucket %d has a short header", ErrDamaged, id, i)
		}
		var err error
		if root := le.Uint64(v); root != 0 {
			err = w.page(root, depth+1)
		} else {
			err = w.elements(0, v[bucketHeaderLen:], depth+1) // an inline bucket
		}
		if err != nil {
			return err
		}
	}
	return nil
}
