package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/samojournal/samo/internal/units"
	"github.com/samojournal/samo/journal"
)

// InstalledFile is SAMO's record in an installed model's folder: the
// catalog entry it was downloaded from, with every file's sha256.
const InstalledFile = "samo-model.json"

// Errors of the model manager, each wrapped with what it concerns.
var (
	// ErrUnknownModel: the name is in no catalog.
	ErrUnknownModel = errors.New("models: no such model in the catalog")
	// ErrNotInstalled: the model is not downloaded.
	ErrNotInstalled = errors.New("models: not installed")
	// ErrNoNetwork: the server cannot be reached at all.
	ErrNoNetwork = errors.New("models: no network")
	// ErrNotFound: the server has no such file (HTTP 404).
	ErrNotFound = errors.New("models: file not found on the server")
	// ErrAccessDenied: the server refused the file (HTTP 401 or 403).
	ErrAccessDenied = errors.New("models: the server refused access")
	// ErrTLS: the server's certificate could not be trusted.
	ErrTLS = errors.New("models: secure connection failed")
	// ErrChecksum: a downloaded file is not the one the catalog names.
	ErrChecksum = errors.New("models: checksum mismatch")
	// ErrNoSpace: the disk has too little room for the model.
	ErrNoSpace = errors.New("models: not enough disk space")
	// ErrBusy: another SAMO process holds the model (a download).
	ErrBusy = errors.New("models: busy in another SAMO process")
)

// DefaultEndpoint serves the catalog's repositories.
const DefaultEndpoint = "https://huggingface.co"

// Installed is the record of a downloaded model.
type Installed struct {
	// Model is the catalog entry, every file's SHA256 filled in.
	Model CatalogModel `json:"model"`
	// Recorded names the files whose digest the catalog did not give:
	// theirs is the first download's.
	Recorded []string `json:"recorded,omitempty"`
	// Time is when it was installed.
	Time time.Time `json:"time"`
	// Endpoint is the server it came from.
	Endpoint string `json:"endpoint"`
}

// Progress is a download's state (the journal's form of it), reported at
// a steady interval whether or not bytes arrive, and once at each change
// of phase (journal.journal.PhaseDownloading, …).
type Progress = journal.DownloadProgress

// Manager keeps downloaded models in Dir, one folder per model, with the
// downloads in progress under Dir/.partial. It is the only code in SAMO
// that opens a network connection.
type Manager struct {
	// Dir is the models folder.
	Dir string
	// Catalog lists the models that can be downloaded.
	Catalog Catalog
	// Endpoint serves the repositories (DefaultEndpoint when "").
	Endpoint string
	// Client makes the requests (nil: one that honours HTTPS_PROXY and
	// NO_PROXY).
	Client *http.Client
	// Retries is how many times a transient failure is retried
	// (resuming where it stopped); Backoff the first wait, doubled each
	// time; Stall how long without a byte before a connection is given up.
	Retries int
	Backoff time.Duration
	Stall   time.Duration
	// Interval is how often progress is reported.
	Interval time.Duration

	// freeSpace and wrapWriter are seams for tests: a disk's free bytes, and
	// the writer a file is downloaded through.
	freeSpace  func(dir string) (uint64, error)
	wrapWriter func(w writeSyncer) writeSyncer
}

// NewManager returns a manager of the models in dir, with the default
// retry and progress settings.
func NewManager(dir string, c Catalog, endpoint string) *Manager {
	return &Manager{Dir: dir, Catalog: c, Endpoint: endpoint, Retries: 6, Backoff: time.Second,
		Stall: 30 * time.Second, Interval: 250 * time.Millisecond}
}

func (m *Manager) endpoint() string {
	if m.Endpoint == "" {
		return DefaultEndpoint
	}
	return strings.TrimRight(m.Endpoint, "/")
}

// URL is where a catalog file is fetched from: the endpoint, then the
// repository's file at the pinned revision, as Hugging Face serves it.
func (m *Manager) URL(cm CatalogModel, f CatalogFile) string {
	parts := strings.Split(f.Path, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return m.endpoint() + "/" + cm.Repo + "/resolve/" + cm.Revision + "/" + strings.Join(parts, "/")
}

// Folder is where the model called name is (or would be) installed.
func (m *Manager) Folder(name string) string { return filepath.Join(m.Dir, name) }

func (m *Manager) partialDir(name string) string {
	return filepath.Join(m.Dir, ".partial", name)
}

// Listing is a catalog model and where it stands on this machine.
type Listing struct {
	CatalogModel
	// Installed says it is downloaded (its folder is Folder).
	Installed bool   `json:"installed"`
	Folder    string `json:"folder,omitempty"`
	// Partial is how many bytes an interrupted download already holds.
	Partial int64 `json:"partial,omitempty"`
}

// List returns every catalog model, and every installed one the catalog
// no longer names, in catalog order.
func (m *Manager) List() ([]Listing, error) {
	var out []Listing
	seen := map[string]bool{}
	for _, cm := range m.Catalog.Models {
		seen[cm.Name] = true
		l := Listing{CatalogModel: cm}
		if rec, err := m.Record(cm.Name); err == nil {
			l.CatalogModel, l.Installed, l.Folder = rec.Model, true, m.Folder(cm.Name)
		}
		l.Partial = m.partialBytes(cm)
		out = append(out, l)
	}
	entries, err := os.ReadDir(m.Dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("models: list %s: %w", m.Dir, err)
	}
	for _, e := range entries {
		if !e.IsDir() || seen[e.Name()] || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if rec, err := m.Record(e.Name()); err == nil {
			out = append(out, Listing{CatalogModel: rec.Model, Installed: true, Folder: m.Folder(e.Name())})
		}
	}
	return out, nil
}

// partialBytes is how much of cm an interrupted download holds.
func (m *Manager) partialBytes(cm CatalogModel) int64 {
	var n int64
	for _, f := range cm.Files {
		p := filepath.Join(m.partialDir(cm.Name), filepath.FromSlash(f.Path))
		if st, err := os.Stat(p); err == nil {
			n += min(st.Size(), f.expected())
		} else if st, err := os.Stat(p + ".part"); err == nil {
			n += min(st.Size(), f.expected())
		}
	}
	return n
}

// Record reads an installed model's record.
func (m *Manager) Record(name string) (Installed, error) {
	if !nameRule.MatchString(name) {
		return Installed{}, fmt.Errorf("%w: %s", ErrUnknownModel, name)
	}
	data, err := os.ReadFile(filepath.Join(m.Folder(name), InstalledFile))
	if errors.Is(err, fs.ErrNotExist) {
		return Installed{}, fmt.Errorf("%w: %s", ErrNotInstalled, name)
	}
	if err != nil {
		return Installed{}, fmt.Errorf("models: %s: %w", name, err)
	}
	var rec Installed
	if err := json.Unmarshal(data, &rec); err != nil {
		return Installed{}, fmt.Errorf("%w: %s: %s: %w", ErrBundle, name, InstalledFile, err)
	}
	if err := rec.Model.Check(); err != nil {
		return Installed{}, fmt.Errorf("%s: %s: %w", name, InstalledFile, err)
	}
	return rec, nil
}

// Verify checks every file of an installed model against its recorded
// size and sha256, and returns its record.
func (m *Manager) Verify(name string) (Installed, error) {
	rec, err := m.Record(name)
	if err != nil {
		return Installed{}, err
	}
	fsys := os.DirFS(m.Folder(name))
	for _, f := range rec.Model.Files {
		if err := verify(fsys, File{Path: f.Path, Size: f.Size, SHA256: f.SHA256}); err != nil {
			return rec, fmt.Errorf("model %s: %w", name, err)
		}
	}
	return rec, nil
}

// Remove deletes an installed model and any interrupted download of it.
func (m *Manager) Remove(ctx context.Context, name string) error {
	if !nameRule.MatchString(name) {
		return fmt.Errorf("%w: %s", ErrUnknownModel, name)
	}
	unlock, err := m.lock(ctx, name, nil)
	if err != nil {
		return err
	}
	defer unlock()
	had := false
	for _, dir := range []string{m.Folder(name), m.partialDir(name)} {
		if _, err := os.Lstat(dir); err == nil {
			had = true
		}
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("models: remove %s: %w", name, err)
		}
	}
	if !had {
		return fmt.Errorf("%w: %s", ErrNotInstalled, name)
	}
	return nil
}

// Get downloads the model called name, verifies every file, lets check
// open the downloaded folder (nil: no check), and only then moves it into
// place as Folder(name), in one rename. It returns that folder. A model
// already installed and whole is not downloaded again.
//
// An interrupted download (a dropped connection, a killed process) is
// resumed where it stopped, by this call's retries or by the next Get. A
// cancel, a checksum mismatch, a refusal by the server, a full disk or a
// failed check leave nothing behind, and an installed model of the same
// name stays as it was.
func (m *Manager) Get(ctx context.Context, name string, progress func(Progress), check func(dir string) error) (string, error) {
	cm, ok := m.Catalog.Find(name)
	if !ok {
		return "", fmt.Errorf("%w: %q (samo models list shows them)", ErrUnknownModel, name)
	}
	if progress == nil {
		progress = func(Progress) {}
	}
	unlock, err := m.lock(ctx, name, func(note string) {
		progress(Progress{Model: name, Phase: journal.PhaseWaiting, Total: cm.Size(), Note: note})
	})
	if err != nil {
		return "", err
	}
	defer unlock()
	if rec, err := m.Verify(name); err == nil && sameFiles(rec.Model, cm) {
		progress(Progress{Model: name, Phase: journal.PhaseDone, Done: cm.Size(), Total: cm.Size()})
		return m.Folder(name), nil
	}
	dir, rec, err := m.download(ctx, cm, progress)
	if err == nil && check != nil {
		progress(Progress{Model: name, Phase: journal.PhaseChecking, Done: cm.Size(), Total: cm.Size()})
		if cerr := check(dir); cerr != nil {
			err = fmt.Errorf("model %s downloaded but does not work, so it was not installed: %w", name, cerr)
		}
	}
	if err == nil {
		err = m.commit(cm.Name, dir, rec)
	}
	if err != nil {
		if keep := resumable(ctx, err); keep {
			return "", fmt.Errorf("%w (the %s downloaded so far are kept: run samo models get %s again to resume)",
				err, units.Bytes(m.partialBytes(cm)), name)
		}
		os.RemoveAll(m.partialDir(name))
		if ctx.Err() != nil {
			return "", fmt.Errorf("models: %s: download cancelled, and what had come was deleted: %w", name, context.Cause(ctx))
		}
		return "", err
	}
	progress(Progress{Model: name, Phase: journal.PhaseDone, Done: cm.Size(), Total: cm.Size()})
	return m.Folder(name), nil
}

// sameFiles says an installed model holds what the catalog lists now.
func sameFiles(installed, want CatalogModel) bool {
	if installed.Repo != want.Repo || installed.Revision != want.Revision || len(installed.Files) != len(want.Files) {
		return false
	}
	for i, f := range want.Files {
		g := installed.Files[i]
		if g.Path != f.Path || (f.Size > 0 && g.Size != f.Size) || (f.SHA256 != "" && g.SHA256 != f.SHA256) {
			return false
		}
	}
	return true
}

// resumable says a failed download keeps its partial files: it was
// interrupted (the network failed and the retries ran out), not cancelled
// nor refused.
func resumable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var te transientError
	return errors.As(err, &te)
}

// commit writes the record into the downloaded folder and moves it into
// place; an installed model of the same name is replaced only once the
// new one is there.
func (m *Manager) commit(name, dir string, rec Installed) error {
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return fmt.Errorf("models: install %s: %w", name, err)
	}
	if err := writeSynced(filepath.Join(dir, InstalledFile), append(data, '\n')); err != nil {
		return fmt.Errorf("models: install %s: %w", name, err)
	}
	final := m.Folder(name)
	old := ""
	if _, err := os.Lstat(final); err == nil {
		old = filepath.Join(m.Dir, ".partial", "."+name+".old")
		os.RemoveAll(old)
		if err := os.Rename(final, old); err != nil {
			return fmt.Errorf("models: install %s: %w", name, err)
		}
	}
	if err := os.Rename(dir, final); err != nil {
		if old != "" {
			os.Rename(old, final)
		}
		return fmt.Errorf("models: install %s: %w", name, err)
	}
	syncDir(m.Dir)
	if old != "" {
		os.RemoveAll(old)
	}
	return nil
}

// transientError is a failure worth retrying: the connection dropped or
// stalled, or the server was briefly unwell.
type transientError struct{ err error }

func (e transientError) Error() string { return e.err.Error() }
func (e transientError) Unwrap() error { return e.err }

// needed is how many more bytes the model needs on disk, counting what an
// interrupted download already holds.
func (m *Manager) needed(cm CatalogModel) int64 { return cm.Size() - m.partialBytes(cm) }
