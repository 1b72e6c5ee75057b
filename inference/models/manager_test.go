package models

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/samojournal/samo/journal"
)

// server serves a repository's files at /OWNER/NAME/resolve/REV/PATH with
// range requests, as the Hugging Face endpoint does, and misbehaves on
// demand.
type server struct {
	t     *testing.T
	files map[string][]byte // by path
	mu    sync.Mutex
	// ranges are the first bytes asked for, per path, in order.
	ranges map[string][]int64
	// cut, when set, says after how many bytes of a response to drop the
	// connection (called once per request; <0: never).
	cut func(path string, from int64) int64
	// status, when set, answers a path with a status instead.
	status func(path string) int
	// delay is slept between chunks of chunk bytes.
	delay time.Duration
	chunk int
	sent  atomic.Int64
}

const testRepo, testRev = "samo/test-model", "0123456789abcdef0123456789abcdef01234567"

func newServer(t *testing.T, files map[string][]byte) (*server, *httptest.Server) {
	s := &server{t: t, files: files, ranges: map[string][]int64{}, chunk: 32 << 10}
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return s, hs
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	prefix := "/" + testRepo + "/resolve/" + testRev + "/"
	path, ok := strings.CutPrefix(r.URL.Path, prefix)
	data, found := s.files[path]
	if !ok || !found {
		http.NotFound(w, r)
		return
	}
	if s.status != nil {
		if code := s.status(path); code != 0 {
			http.Error(w, http.StatusText(code), code)
			return
		}
	}
	var from int64
	if h := r.Header.Get("Range"); h != "" {
		from, _ = strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(h, "bytes="), "-"), 10, 64)
	}
	s.mu.Lock()
	s.ranges[path] = append(s.ranges[path], from)
	s.mu.Unlock()
	if from > int64(len(data)) {
		w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
		return
	}
	limit := int64(-1)
	if s.cut != nil {
		limit = s.cut(path, from)
	}
	w.Header().Set("Content-Length", strconv.FormatInt(int64(len(data))-from, 10))
	if from > 0 {
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", from, len(data)-1, len(data)))
		w.WriteHeader(http.StatusPartialContent)
	}
	rest := data[from:]
	var sent int64
	for len(rest) > 0 {
		n := min(s.chunk, len(rest))
		if limit >= 0 && sent+int64(n) > limit {
			n = int(limit - sent)
		}
		w.Write(rest[:n])
		sent += int64(n)
		s.sent.Add(int64(n))
		rest = rest[n:]
		w.(http.Flusher).Flush()
		if limit >= 0 && sent >= limit {
			panic(http.ErrAbortHandler) // the connection drops
		}
		if s.delay > 0 {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(s.delay):
			}
		}
	}
}

func (s *server) firstBytes(path string) []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.ranges[path])
}

// testModel is a catalog entry for files, with their digests when
// withSums.
func testModel(name string, files map[string][]byte, withSums bool) CatalogModel {
	cm := CatalogModel{Name: name, Kind: KindSpeech, Title: "test", Repo: testRepo, Revision: testRev}
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		f := CatalogFile{Path: p, Size: int64(len(files[p]))}
		if withSums {
			sum := sha256.Sum256(files[p])
			f.SHA256 = hex.EncodeToString(sum[:])
		}
		cm.Files = append(cm.Files, f)
	}
	return cm
}

// withoutSizes is cm as a catalog that knows only approximate sizes.
func withoutSizes(cm CatalogModel) CatalogModel {
	cm.Files = slices.Clone(cm.Files)
	for i := range cm.Files {
		cm.Files[i].About, cm.Files[i].Size = cm.Files[i].Size/1000*1000+1000, 0
	}
	return cm
}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 7))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func testFiles() map[string][]byte {
	return map[string][]byte{
		"config.json":                    []byte(`{"model_type":"whisper"}`),
		"onnx/encoder_model.onnx":        randomBytes(300_000, 1),
		"onnx/decoder_model_merged.onnx": randomBytes(500_000, 2),
	}
}

func newTestManager(t *testing.T, url string, models ...CatalogModel) *Manager {
	m := NewManager(filepath.Join(t.TempDir(), "models"), Catalog{Models: models}, url)
	m.Backoff, m.Interval, m.Stall = 10*time.Millisecond, 20*time.Millisecond, 2*time.Second
	return m
}

// mustBeInstalled checks the folder holds exactly the files, the record
// verifies, and no download is left behind.
func mustBeInstalled(t *testing.T, m *Manager, name string, files map[string][]byte) {
	t.Helper()
	dir := m.Folder(name)
	for p, want := range files {
		got, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s: %d bytes, err %v; want %d bytes", p, len(got), err, len(want))
		}
	}
	if _, err := m.Verify(name); err != nil {
		t.Fatalf("verify: %v", err)
	}
	mustLeaveNothing(t, m, name)
}

// mustLeaveNothing checks no partial download of name remains.
func mustLeaveNothing(t *testing.T, m *Manager, name string) {
	t.Helper()
	if _, err := os.Lstat(m.partialDir(name)); !errors.Is(err, fs.ErrNotExist) {
		var left []string
		filepath.WalkDir(m.partialDir(name), func(p string, d fs.DirEntry, err error) error {
			left = append(left, p)
			return nil
		})
		t.Fatalf("left behind: %v", left)
	}
	old, _ := filepath.Glob(filepath.Join(m.Dir, ".partial", ".*"))
	if len(old) > 0 {
		t.Fatalf("left behind: %v", old)
	}
}

func TestManager_Get(t *testing.T) {
	files := testFiles()
	for _, c := range []struct {
		sums, sizes bool
	}{{true, true}, {false, true}, {true, false}, {false, false}} {
		sums := c.sums
		t.Run(fmt.Sprintf("sha256 in catalog %v, sizes %v", c.sums, c.sizes), func(t *testing.T) {
			srv, hs := newServer(t, files)
			cm := testModel("whisper-test", files, sums)
			if !c.sizes {
				cm = withoutSizes(cm)
			}
			m := newTestManager(t, hs.URL, cm)
			var reports []Progress
			dir, err := m.Get(context.Background(), cm.Name, func(p Progress) { reports = append(reports, p) }, func(dir string) error {
				if _, err := os.Stat(filepath.Join(dir, "onnx/encoder_model.onnx")); err != nil {
					return err
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if dir != m.Folder(cm.Name) {
				t.Fatalf("installed in %s, want %s", dir, m.Folder(cm.Name))
			}
			mustBeInstalled(t, m, cm.Name, files)
			rec, _ := m.Record(cm.Name)
			if sums && len(rec.Recorded) != 0 || !sums && len(rec.Recorded) != len(files) {
				t.Fatalf("recorded digests of %v (catalog sums %v)", rec.Recorded, sums)
			}
			for _, f := range rec.Model.Files {
				if f.Size != int64(len(files[f.Path])) {
					t.Fatalf("recorded size of %s: %d", f.Path, f.Size)
				}
			}
			last := reports[len(reports)-1]
			if last.Phase != journal.PhaseDone || last.Done != cm.Size() || last.Total != cm.Size() {
				t.Fatalf("last report %+v", last)
			}
			for i := 1; i < len(reports) && c.sizes; i++ {
				if reports[i].Done > reports[i].Total {
					t.Fatalf("report %d overshoots: %+v", i, reports[i])
				}
			}
			// A second get finds it whole and fetches nothing.
			before := srv.sent.Load()
			if _, err := m.Get(context.Background(), cm.Name, nil, nil); err != nil {
				t.Fatal(err)
			}
			if srv.sent.Load() != before {
				t.Fatal("a whole installed model was downloaded again")
			}
			// A damaged file is found by Verify, and Get replaces the model.
			os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"model_type":"whisper!"}`), 0o644)
			if _, err := m.Verify(cm.Name); err == nil || !strings.Contains(err.Error(), "config.json") {
				t.Fatalf("verify of a changed file: %v", err)
			}
			if _, err := m.Get(context.Background(), cm.Name, nil, nil); err != nil {
				t.Fatal(err)
			}
			mustBeInstalled(t, m, cm.Name, files)
		})
	}
}

func TestManager_ResumesADroppedConnection(t *testing.T) {
	files := testFiles()
	const big = "onnx/decoder_model_merged.onnx"
	size := int64(len(files[big]))
	for _, c := range []struct {
		at    float64
		sizes bool
	}{{0.5, true}, {0.99, true}, {0.5, false}, {0.99, false}} {
		at := c.at
		t.Run(fmt.Sprintf("dropped at %.0f%%, sizes in catalog %v", at*100, c.sizes), func(t *testing.T) {
			srv, hs := newServer(t, files)
			var dropped atomic.Bool
			srv.cut = func(path string, from int64) int64 {
				if path == big && !dropped.Swap(true) {
					return int64(float64(size) * at)
				}
				return -1
			}
			cm := testModel("whisper-test", files, true)
			if !c.sizes {
				cm = withoutSizes(cm)
			}
			m := newTestManager(t, hs.URL, cm)
			var retried atomic.Bool
			if _, err := m.Get(context.Background(), cm.Name, func(p Progress) {
				if p.Phase == journal.PhaseRetrying {
					retried.Store(true)
				}
			}, nil); err != nil {
				t.Fatal(err)
			}
			mustBeInstalled(t, m, cm.Name, files)
			got := srv.firstBytes(big)
			want := []int64{0, int64(float64(size) * at)}
			if !slices.Equal(got, want) {
				t.Fatalf("requests for %s started at %v, want %v (resumed where it dropped)", big, got, want)
			}
			if !retried.Load() {
				t.Fatal("no progress report said it was retrying")
			}
			if sent, total := srv.sent.Load(), int64(len(files["config.json"])+len(files["onnx/encoder_model.onnx"]))+size; sent != total {
				t.Fatalf("the server sent %d bytes for a %d-byte model", sent, total)
			}
		})
	}
}

func TestManager_ResumesAfterGivingUp(t *testing.T) {
	// The connection keeps dropping until the retries run out: what came is
	// kept, and the next Get (a later run of samo) resumes from there.
	files := testFiles()
	const big = "onnx/decoder_model_merged.onnx"
	srv, hs := newServer(t, files)
	var failing atomic.Bool
	failing.Store(true)
	srv.cut = func(path string, from int64) int64 {
		if path == big && failing.Load() {
			return 50_000
		}
		return -1
	}
	cm := testModel("whisper-test", files, true)
	m := newTestManager(t, hs.URL, cm)
	m.Retries = 2
	_, err := m.Get(context.Background(), cm.Name, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "run samo models get whisper-test again to resume") {
		t.Fatalf("err %v, want one that says how to resume", err)
	}
	l, _ := m.List()
	if l[0].Installed || l[0].Partial != int64(len(files["config.json"]))+150_000 {
		t.Fatalf("listing after the failure: %+v", l[0])
	}
	failing.Store(false)
	if _, err := m.Get(context.Background(), cm.Name, nil, nil); err != nil {
		t.Fatal(err)
	}
	mustBeInstalled(t, m, cm.Name, files)
	if got := srv.firstBytes(big); got[len(got)-1] != 150_000 {
		t.Fatalf("requests started at %v; the last should resume at 150000", got)
	}
}

func TestManager_Refusals(t *testing.T) {
	files := testFiles()
	good := testModel("whisper-test", files, true)
	wrongSum := testModel("whisper-test", files, true)
	wrongSum.Files[0].SHA256 = strings.Repeat("ab", 32)
	shorter := testModel("whisper-test", files, false)
	shorter.Files[2].Size -= 10 // the server sends more than the catalog says
	cases := []struct {
		name   string
		cm     CatalogModel
		status int
		want   error
	}{
		{"wrong checksum", wrongSum, 0, ErrChecksum},
		{"a changed file", shorter, 0, ErrChecksum},
		{"404", good, http.StatusNotFound, ErrNotFound},
		{"401", good, http.StatusUnauthorized, ErrAccessDenied},
		{"403", good, http.StatusForbidden, ErrAccessDenied},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, hs := newServer(t, files)
			if c.status != 0 {
				srv.status = func(path string) int {
					if path == "onnx/decoder_model_merged.onnx" {
						return c.status
					}
					return 0
				}
			}
			m := newTestManager(t, hs.URL, c.cm)
			// An earlier good install of the same name stays as it was.
			prev := newTestManager(t, hs.URL, good)
			prev.Dir = m.Dir
			srv2status := srv.status
			srv.status = nil
			if _, err := prev.Get(context.Background(), good.Name, nil, nil); err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(m.Folder(good.Name), "config.json"), []byte("damaged"), 0o644)
			srv.status = srv2status
			_, err := m.Get(context.Background(), c.cm.Name, nil, nil)
			if !errors.Is(err, c.want) {
				t.Fatalf("err %v, want %v", err, c.want)
			}
			mustLeaveNothing(t, m, c.cm.Name)
			if got, _ := os.ReadFile(filepath.Join(m.Folder(good.Name), "config.json")); string(got) != "damaged" {
				t.Fatalf("the installed model was changed: config.json %q", got)
			}
		})
	}
}

func TestManager_FailedCheckInstallsNothing(t *testing.T) {
	files := testFiles()
	_, hs := newServer(t, files)
	cm := testModel("whisper-test", files, true)
	m := newTestManager(t, hs.URL, cm)
	_, err := m.Get(context.Background(), cm.Name, nil, func(string) error { return errors.New("no decoder") })
	if err == nil || !strings.Contains(err.Error(), "does not work, so it was not installed: no decoder") {
		t.Fatalf("err %v", err)
	}
	if _, err := os.Stat(m.Folder(cm.Name)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("installed anyway: %v", err)
	}
	mustLeaveNothing(t, m, cm.Name)
}

func TestManager_SlowServerProgress(t *testing.T) {
	// The server is slower than the progress interval: reports keep coming
	// between chunks, each with the bytes so far, none overshooting.
	files := map[string][]byte{"model.onnx": randomBytes(40_000, 3)}
	srv, hs := newServer(t, files)
	srv.chunk, srv.delay = 4_000, 60*time.Millisecond
	cm := testModel("slow", files, true)
	m := newTestManager(t, hs.URL, cm)
	var mu sync.Mutex
	var reports []Progress
	if _, err := m.Get(context.Background(), cm.Name, func(p Progress) {
		mu.Lock()
		reports = append(reports, p)
		mu.Unlock()
	}, nil); err != nil {
		t.Fatal(err)
	}
	var during, withRate, withLeft int
	for i, p := range reports {
		if i > 0 && p.Done < reports[i-1].Done {
			t.Fatalf("progress went back: %+v after %+v", p, reports[i-1])
		}
		if p.Phase == journal.PhaseDownloading && p.Done > 0 && p.Done < p.Total {
			during++
			if p.Rate > 0 {
				withRate++
			}
			if p.Left > 0 {
				withLeft++
			}
		}
	}
	// 10 chunks 60 ms apart, reports every 20 ms: far more than 10.
	if during < 10 || withRate < during/2 || withLeft < during/2 {
		t.Fatalf("%d reports during the download (%d with a rate, %d with time left), want ≥ 10", during, withRate, withLeft)
	}
}

func TestManager_StalledServerIsRetried(t *testing.T) {
	files := map[string][]byte{"model.onnx": randomBytes(100_000, 4)}
	srv, hs := newServer(t, files)
	var first atomic.Bool
	srv.chunk = 10_000
	block := make(chan struct{})
	t.Cleanup(func() { close(block) })
	hs.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !first.Swap(true) { // the first answer sends a little, then nothing
			w.Header().Set("Content-Length", "100000")
			w.Write(files["model.onnx"][:10_000])
			w.(http.Flusher).Flush()
			select {
			case <-block:
			case <-r.Context().Done():
			}
			return
		}
		srv.ServeHTTP(w, r)
	})
	cm := testModel("stalls", files, true)
	m := newTestManager(t, hs.URL, cm)
	m.Stall = 200 * time.Millisecond
	if _, err := m.Get(context.Background(), cm.Name, nil, nil); err != nil {
		t.Fatal(err)
	}
	mustBeInstalled(t, m, cm.Name, files)
	if got := srv.firstBytes("model.onnx"); !slices.Equal(got, []int64{10_000}) {
		t.Fatalf("the retry asked from %v, want [10000]", got)
	}
}

func TestManager_CancelLeavesNothing(t *testing.T) {
	files := testFiles()
	srv, hs := newServer(t, files)
	srv.chunk, srv.delay = 8_000, 5*time.Millisecond
	cm := testModel("whisper-test", files, true)
	m := newTestManager(t, hs.URL, cm)
	ctx, cancel := context.WithCancel(context.Background())
	_, err := m.Get(ctx, cm.Name, func(p Progress) {
		if p.Done > cm.Size()/2 {
			cancel()
		}
	}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want canceled", err)
	}
	mustLeaveNothing(t, m, cm.Name)
	if _, err := os.Stat(m.Folder(cm.Name)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("installed after a cancel")
	}
}

func TestManager_DiskFull(t *testing.T) {
	files := testFiles()
	_, hs := newServer(t, files)
	cm := testModel("whisper-test", files, true)
	t.Run("before it starts", func(t *testing.T) {
		m := newTestManager(t, hs.URL, cm)
		m.freeSpace = func(string) (uint64, error) { return 10 << 20, nil }
		_, err := m.Get(context.Background(), cm.Name, nil, nil)
		if !errors.Is(err, ErrNoSpace) || !strings.Contains(err.Error(), "needs") {
			t.Fatalf("err %v", err)
		}
		mustLeaveNothing(t, m, cm.Name)
	})
	t.Run("while it downloads", func(t *testing.T) {
		m := newTestManager(t, hs.URL, cm)
		var written atomic.Int64
		m.wrapWriter = func(w writeSyncer) writeSyncer { return &fullDisk{w, &written, 400_000} }
		_, err := m.Get(context.Background(), cm.Name, nil, nil)
		if !errors.Is(err, ErrNoSpace) || !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("err %v", err)
		}
		mustLeaveNothing(t, m, cm.Name)
	})
}

// fullDisk fails with ENOSPC once limit bytes are written through it.
type fullDisk struct {
	writeSyncer
	n     *atomic.Int64
	limit int64
}

func (f *fullDisk) Write(p []byte) (int, error) {
	if f.n.Add(int64(len(p))) > f.limit {
		return 0, &fs.PathError{Op: "write", Path: "model", Err: syscall.ENOSPC}
	}
	return f.writeSyncer.Write(p)
}

func TestManager_TwoAtOnce(t *testing.T) {
	// Two managers on one folder (as two SAMO processes): one downloads,
	// the other waits, then finds the model installed. The lock is flock's,
	// held per open file, so it serves processes as it serves these two.
	files := testFiles()
	srv, hs := newServer(t, files)
	srv.chunk, srv.delay = 50_000, 5*time.Millisecond
	cm := testModel("whisper-test", files, true)
	a := newTestManager(t, hs.URL, cm)
	b := newTestManager(t, hs.URL, cm)
	b.Dir = a.Dir
	var waited atomic.Int32
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, m := range []*Manager{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = m.Get(context.Background(), cm.Name, func(p Progress) {
				if p.Phase == journal.PhaseWaiting {
					waited.Add(1)
				}
			}, nil)
		}()
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatal(errs)
	}
	mustBeInstalled(t, a, cm.Name, files)
	if waited.Load() == 0 {
		t.Fatal("neither waited for the other")
	}
	if sent := srv.sent.Load(); sent != cm.Size() {
		t.Fatalf("the server sent %d bytes for a %d-byte model: downloaded twice", sent, cm.Size())
	}
}

func TestManager_TLSFailure(t *testing.T) {
	files := testFiles()
	srv := &server{t: t, files: files, ranges: map[string][]int64{}, chunk: 1 << 20}
	hs := httptest.NewUnstartedServer(srv)
	hs.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake
	hs.StartTLS()
	defer hs.Close()
	cm := testModel("whisper-test", files, true)
	m := newTestManager(t, hs.URL, cm) // its certificate is not trusted
	_, err := m.Get(context.Background(), cm.Name, nil, nil)
	if !errors.Is(err, ErrTLS) {
		t.Fatalf("err %v, want %v", err, ErrTLS)
	}
	mustLeaveNothing(t, m, cm.Name)
}

func TestManager_Remove(t *testing.T) {
	files := testFiles()
	_, hs := newServer(t, files)
	cm := testModel("whisper-test", files, true)
	m := newTestManager(t, hs.URL, cm)
	if err := m.Remove(context.Background(), cm.Name); !errors.Is(err, ErrNotInstalled) {
		t.Fatalf("remove of nothing: %v", err)
	}
	if _, err := m.Get(context.Background(), cm.Name, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := m.Remove(context.Background(), cm.Name); err != nil {
		t.Fatal(err)
	}
	if l, _ := m.List(); l[0].Installed {
		t.Fatal("still listed as installed")
	}
}

func TestCatalog_BuiltIn(t *testing.T) {
	c, err := BuiltInCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range c.Models {
		if m.Title == "" || m.Description == "" {
			t.Errorf("%s: no title or description for the list", m.Name)
		}
	}
}

func TestManager_URL(t *testing.T) {
	m := NewManager(t.TempDir(), Catalog{}, "https://mirror.example/hf/")
	cm := CatalogModel{Repo: "Xenova/whisper-base", Revision: testRev}
	got := m.URL(cm, CatalogFile{Path: "onnx/model #1?.onnx"})
	if want := "https://mirror.example/hf/Xenova/whisper-base/resolve/" + testRev + "/onnx/model%20%231%3F.onnx"; got != want {
		t.Fatalf("URL %s, want %s", got, want)
	}
}

func TestCatalog_Refuses(t *testing.T) {
	good := `{"name":"m","kind":"speech","repo":"a/b","revision":"` + testRev + `","files":[{"path":"x.onnx","size":3}]}`
	if _, err := ParseCatalog([]byte(`{"models":[` + good + `]}`)); err != nil {
		t.Fatal(err)
	}
	for name, entry := range map[string]string{
		"a branch, not a commit":   strings.Replace(good, testRev, "main", 1),
		"a path out of the folder": strings.Replace(good, "x.onnx", "../x.onnx", 1),
		"a hidden path":            strings.Replace(good, "x.onnx", ".x", 1),
		"SAMO's own record":        strings.Replace(good, "x.onnx", InstalledFile, 1),
		"an unknown kind":          strings.Replace(good, "speech", "music", 1),
		"a name with a slash":      strings.Replace(good, `"name":"m"`, `"name":"a/m"`, 1),
		"a bad digest":             strings.Replace(good, `"size":3`, `"size":3,"sha256":"XYZ"`, 1),
		"no size":                  strings.Replace(good, `"size":3`, `"size":0`, 1),
		"a bad repository":         strings.Replace(good, "a/b", "a/b/c", 1),
	} {
		if _, err := ParseCatalog([]byte(`{"models":[` + entry + `]}`)); !errors.Is(err, ErrCatalog) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := ParseCatalog([]byte(`{"models":[` + good + `,` + good + `]}`)); !errors.Is(err, ErrCatalog) {
		t.Errorf("a name listed twice: %v", err)
	}
}
