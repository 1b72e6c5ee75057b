package models

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/samojournal/samo/internal/units"
	"github.com/samojournal/samo/journal"
)

// writeSyncer is a downloaded file as it is written.
type writeSyncer interface {
	io.Writer
	Sync() error
}

// download fetches every file of cm into its partial folder (resuming what
// is there), verifies them and returns the folder and the record to
// install.
func (m *Manager) download(ctx context.Context, cm CatalogModel, progress func(Progress)) (string, Installed, error) {
	dir := m.partialDir(cm.Name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", Installed{}, fmt.Errorf("models: download %s: %w", cm.Name, diskError(err))
	}
	if err := m.checkSpace(cm); err != nil {
		return "", Installed{}, err
	}
	meter := newMeter(cm, m.partialBytes(cm), progress)
	stop := meter.tick(m.Interval)
	defer stop()
	rec := Installed{Model: cm, Time: time.Now().UTC(), Endpoint: m.endpoint()}
	rec.Model.Files = append([]CatalogFile(nil), cm.Files...)
	for i, f := range cm.Files {
		path := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return "", Installed{}, fmt.Errorf("models: download %s: %w", cm.Name, diskError(err))
		}
		if st, err := os.Stat(path); err != nil || f.Size > 0 && st.Size() != f.Size {
			if err := m.fetch(ctx, cm, f, path+".part", meter); err != nil {
				return "", Installed{}, err
			}
		}
		meter.set(journal.PhaseVerifying, f.Path, "")
		sum, err := fileSHA256(ctx, path+".part", path)
		if err != nil {
			return "", Installed{}, err
		}
		if f.SHA256 != "" && sum != f.SHA256 {
			return "", Installed{}, fmt.Errorf("%w: %s of %s has sha256 %s, the catalog says %s (a damaged download or a changed file); nothing was installed",
				ErrChecksum, f.Path, cm.Name, sum, f.SHA256)
		}
		if f.SHA256 == "" {
			rec.Recorded = append(rec.Recorded, f.Path)
		}
		rec.Model.Files[i].SHA256 = sum
		if st, err := os.Stat(path + ".part"); err == nil {
			rec.Model.Files[i].Size, rec.Model.Files[i].About = st.Size(), 0
		} else if st, err := os.Stat(path); err == nil {
			rec.Model.Files[i].Size, rec.Model.Files[i].About = st.Size(), 0
		}
		if _, err := os.Stat(path + ".part"); err == nil {
			if err := os.Rename(path+".part", path); err != nil {
				return "", Installed{}, fmt.Errorf("models: download %s: %w", cm.Name, err)
			}
		}
	}
	return dir, rec, nil
}

// fileSHA256 hashes the first of paths that exists.
func fileSHA256(ctx context.Context, paths ...string) (string, error) {
	var f *os.File
	var err error
	for _, p := range paths {
		if f, err = os.Open(p); err == nil {
			break
		}
	}
	if err != nil {
		return "", fmt.Errorf("models: verify: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	buf := make([]byte, 1<<20)
	for {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		n, rerr := f.Read(buf)
		h.Write(buf[:n])
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return "", fmt.Errorf("models: verify %s: %w", f.Name(), rerr)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// checkSpace refuses a download the disk cannot hold, before it starts.
func (m *Manager) checkSpace(cm CatalogModel) error {
	free := m.freeSpace
	if free == nil {
		free = freeBytes
	}
	avail, err := free(m.Dir)
	if err != nil {
		return nil // unknown: the writes will say
	}
	need := m.needed(cm)
	// Keep a margin: a disk filled to the last byte troubles everything
	// else on it.
	margin := int64(64 << 20)
	if need+margin > int64(min(avail, 1<<62)) {
		return fmt.Errorf("%w: %s needs %s more, and %s has %s free", ErrNoSpace, cm.Name, units.Bytes(need), m.Dir, units.Bytes(int64(min(avail, 1<<62))))
	}
	return nil
}

// fetch downloads one file to part, resuming from what part holds, retrying
// transient failures with back-off.
func (m *Manager) fetch(ctx context.Context, cm CatalogModel, f CatalogFile, part string, meter *meter) error {
	wait := m.Backoff
	for attempt := 0; ; attempt++ {
		meter.set(journal.PhaseDownloading, f.Path, "")
		err := m.fetchOnce(ctx, cm, f, part, meter)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var te transientError
		if !errors.As(err, &te) || attempt >= m.Retries {
			return err
		}
		meter.set(journal.PhaseRetrying, f.Path, fmt.Sprintf("%v; trying again in %s", err, wait.Round(time.Millisecond)))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
}

// fetchOnce makes one request for the rest of the file.
func (m *Manager) fetchOnce(ctx context.Context, cm CatalogModel, f CatalogFile, part string, meter *meter) error {
	out, err := os.OpenFile(part, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("models: download %s: %w", cm.Name, diskError(err))
	}
	defer out.Close()
	have, err := out.Seek(0, io.SeekEnd)
	if err != nil {
		return fmt.Errorf("models: download %s: %w", cm.Name, err)
	}
	if f.Size > 0 && have > f.Size {
		if err := out.Truncate(0); err != nil {
			return fmt.Errorf("models: download %s: %w", cm.Name, diskError(err))
		}
		meter.add(-have)
		have, _ = out.Seek(0, io.SeekStart)
	}
	if f.Size > 0 && have == f.Size {
		return nil
	}
	// A stalled connection is given up after m.Stall without a byte.
	rctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stall := time.AfterFunc(m.stall(), func() { cancel(errStalled) })
	defer stall.Stop()

	link := m.URL(cm, f)
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, link, nil)
	if err != nil {
		return fmt.Errorf("models: download %s: %w", cm.Name, err)
	}
	req.Header.Set("User-Agent", "samo-model-manager")
	if have > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(have, 10)+"-")
	}
	resp, err := m.client().Do(req)
	if err != nil {
		if errors.Is(context.Cause(rctx), errStalled) {
			err = errStalled
		}
		return classify(cm, link, err)
	}
	defer resp.Body.Close()
	// size is the file's whole size: the catalog's, else the server's
	// (-1 while unknown).
	size := f.Size
	if size == 0 {
		size = -1
	}
	switch {
	case resp.StatusCode == http.StatusPartialContent:
		start, total, ok := contentRange(resp.Header.Get("Content-Range"))
		if !ok || start != have {
			return fmt.Errorf("models: download %s: the server resumed %s at the wrong place (%q)", cm.Name, f.Path, resp.Header.Get("Content-Range"))
		}
		if size < 0 {
			size = total
		}
	case resp.StatusCode == http.StatusOK:
		if size < 0 && resp.ContentLength >= 0 {
			size = resp.ContentLength
		}
		if have > 0 { // the server ignored the range: start again
			if err := out.Truncate(0); err != nil {
				return fmt.Errorf("models: download %s: %w", cm.Name, diskError(err))
			}
			if _, err := out.Seek(0, io.SeekStart); err != nil {
				return fmt.Errorf("models: download %s: %w", cm.Name, err)
			}
			meter.add(-have)
			have = 0
		}
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable && f.Size == 0 && have > 0:
		return nil // all of it is here; its digest is checked next
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable:
		// What part holds is not a prefix the server knows: start again.
		out.Truncate(0)
		meter.add(-have)
		return transientError{fmt.Errorf("models: download %s: the server refused to resume %s", cm.Name, f.Path)}
	default:
		return statusError(cm, f, link, resp.StatusCode)
	}
	var w writeSyncer = out
	if m.wrapWriter != nil {
		w = m.wrapWriter(w)
	}
	want := int64(-1) // unknown: until the server ends it
	if size >= 0 {
		want = size - have
	}
	buf := make([]byte, 256<<10)
	var got int64
	for want < 0 || got <= want {
		n, rerr := resp.Body.Read(buf)
		if n > 0 {
			stall.Reset(m.stall())
			if want >= 0 && got+int64(n) > want {
				return fmt.Errorf("%w: the server sent more of %s than its %d bytes (a changed file); nothing was installed", ErrChecksum, f.Path, size)
			}
			if _, werr := w.Write(buf[:n]); werr != nil {
				return fmt.Errorf("models: download %s: write %s: %w", cm.Name, f.Path, diskError(werr))
			}
			got += int64(n)
			meter.add(int64(n))
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			if errors.Is(context.Cause(rctx), errStalled) {
				rerr = errStalled
			}
			w.Sync()
			return classify(cm, link, rerr)
		}
	}
	if err := w.Sync(); err != nil {
		return fmt.Errorf("models: download %s: write %s: %w", cm.Name, f.Path, diskError(err))
	}
	if want >= 0 && got < want {
		return transientError{fmt.Errorf("models: download %s: the connection closed after %s of %s", cm.Name, units.Bytes(have+got), f.Path)}
	}
	return nil
}

func (m *Manager) stall() time.Duration {
	if m.Stall <= 0 {
		return 30 * time.Second
	}
	return m.Stall
}

func (m *Manager) client() *http.Client {
	if m.Client != nil {
		return m.Client
	}
	return &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   30 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		ForceAttemptHTTP2:     true,
		// The bytes as the server holds them: a range resumes them, and
		// the digest is theirs.
		DisableCompression: true,
	}}
}

var errStalled = errors.New("no data for too long")

// contentRange reads "bytes START-END/SIZE" (SIZE -1 when "*").
func contentRange(h string) (start, size int64, ok bool) {
	rest, ok := strings.CutPrefix(h, "bytes ")
	if !ok {
		return 0, 0, false
	}
	first, rest, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, 0, false
	}
	_, total, ok := strings.Cut(rest, "/")
	if !ok {
		return 0, 0, false
	}
	start, err := strconv.ParseInt(first, 10, 64)
	if err != nil {
		return 0, 0, false
	}
	size = -1
	if total != "*" {
		if size, err = strconv.ParseInt(total, 10, 64); err != nil {
			return 0, 0, false
		}
	}
	return start, size, true
}

// statusError names what an HTTP status means for the person.
func statusError(cm CatalogModel, f CatalogFile, link string, code int) error {
	switch {
	case code == http.StatusNotFound:
		return fmt.Errorf("%w: %s (HTTP 404 for %s): the catalog entry %s may be out of date", ErrNotFound, f.Path, link, cm.Name)
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return fmt.Errorf("%w: HTTP %d for %s: the repository %s may be private or gated", ErrAccessDenied, code, link, cm.Repo)
	case code == http.StatusTooManyRequests || code >= 500:
		return transientError{fmt.Errorf("models: download %s: the server answered HTTP %d", cm.Name, code)}
	}
	return fmt.Errorf("models: download %s: the server answered HTTP %d for %s", cm.Name, code, link)
}

// classify turns a transport error into one a person can act on.
func classify(cm CatalogModel, link string, err error) error {
	host := link
	if u, perr := url.Parse(link); perr == nil {
		host = u.Host
	}
	var dns *net.DNSError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verr *tls.CertificateVerificationError
	var rec tls.RecordHeaderError
	switch {
	case errors.Is(err, errStalled):
		return transientError{fmt.Errorf("models: download %s: %s sent nothing for too long", cm.Name, host)}
	case errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &invalid), errors.As(err, &verr), errors.As(err, &rec):
		return fmt.Errorf("%w with %s: %v (a proxy that intercepts HTTPS, or a wrong clock?)", ErrTLS, host, err)
	case errors.As(err, &dns) && !dns.IsTimeout,
		errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETDOWN):
		return fmt.Errorf("%w: cannot reach %s (%v); models can be downloaded when this computer is online", ErrNoNetwork, host, rootCause(err))
	}
	return transientError{fmt.Errorf("models: download %s from %s: %w", cm.Name, host, rootCause(err))}
}

// rootCause drops url.Error's repetition of the method and address.
func rootCause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// diskError names a full disk as such.
func diskError(err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return fmt.Errorf("%w (%w)", ErrNoSpace, err)
	}
	return err
}

// writeSynced writes data to path and flushes it to disk.
func writeSynced(path string, data []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return diskError(err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return diskError(err)
}

// syncDir flushes a folder's entries (a rename) to disk.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// meter adds up a download's bytes and reports Progress at an interval.
type meter struct {
	mu       sync.Mutex
	emit     sync.Mutex // one report at a time, in order
	progress func(Progress)
	p        Progress
	done     atomic.Int64
	// samples are (time, bytes) pairs over the last few seconds.
	samples []sample
}

type sample struct {
	at   time.Time
	done int64
}

func newMeter(cm CatalogModel, done int64, progress func(Progress)) *meter {
	m := &meter{progress: progress, p: Progress{Model: cm.Name, Phase: journal.PhaseDownloading, Total: cm.Size()}}
	m.done.Store(done)
	return m
}

func (m *meter) add(n int64) { m.done.Add(n) }

// set changes the phase and reports at once.
func (m *meter) set(phase, file, note string) {
	m.mu.Lock()
	changed := m.p.Phase != phase || m.p.File != file || m.p.Note != note
	m.p.Phase, m.p.File, m.p.Note = phase, file, note
	m.mu.Unlock()
	if changed {
		m.report(time.Now())
	}
}

// report sends the state, with the rate over the last five seconds.
func (m *meter) report(now time.Time) {
	m.mu.Lock()
	done := m.done.Load()
	m.samples = append(m.samples, sample{now, done})
	for len(m.samples) > 2 && now.Sub(m.samples[0].at) > 5*time.Second {
		m.samples = m.samples[1:]
	}
	p := m.p
	p.Done = done
	if first := m.samples[0]; now.Sub(first.at) > 0 {
		p.Rate = max(0, float64(done-first.done)/now.Sub(first.at).Seconds())
	}
	if p.Rate > 0 && p.Total > done {
		p.Left = time.Duration(float64(p.Total-done) / p.Rate * float64(time.Second))
	}
	m.emit.Lock()
	m.mu.Unlock()
	m.progress(p)
	m.emit.Unlock()
}

// tick reports every interval until stop is called.
func (m *meter) tick(interval time.Duration) (stop func()) {
	if interval <= 0 {
		interval = 250 * time.Millisecond
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				m.report(now)
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
