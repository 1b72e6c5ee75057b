package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/samojournal/samo/inference/embed/embedtest"
	"github.com/samojournal/samo/inference/emotion/emotiontest"
	"github.com/samojournal/samo/inference/engine"
	"github.com/samojournal/samo/inference/models"
	"github.com/samojournal/samo/inference/whisper/whispertest"
	"github.com/samojournal/samo/journal"
)

const fixtureRevision = "0123456789abcdef0123456789abcdef01234567"

// modelServer serves fixture model folders as a Hugging Face endpoint
// does (/REPO/resolve/REVISION/PATH, with range requests); hold, when set,
// is called before each response and says after how many bytes to stop
// (-1: none). Its fields are set through its methods: the requests come
// from other processes, on the server's goroutines.
type modelServer struct {
	mu    sync.Mutex
	repos map[string]string // repository → folder
	// starts records each request's path and first byte.
	starts []string
	sent   atomic.Int64
	hold   func(path string, from int64, w http.ResponseWriter) (limit int64)
}

func (s *modelServer) repo(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.repos[name]
}

func (s *modelServer) setRepo(name, dir string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if dir == "" {
		delete(s.repos, name)
	} else {
		s.repos[name] = dir
	}
}

func (s *modelServer) setHold(hold func(path string, from int64, w http.ResponseWriter) int64) {
	s.mu.Lock()
	s.hold = hold
	s.mu.Unlock()
}

func (s *modelServer) started(what string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Contains(s.starts, what)
}

func (s *modelServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	repos, hold := maps.Clone(s.repos), s.hold
	s.mu.Unlock()
	for repo, dir := range repos {
		rest, ok := strings.CutPrefix(r.URL.Path, "/"+repo+"/resolve/"+fixtureRevision+"/")
		if !ok {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rest)))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		from, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(r.Header.Get("Range"), "bytes="), "-"), 10, 64)
		s.mu.Lock()
		s.starts = append(s.starts, rest+"@"+strconv.FormatInt(from, 10))
		s.mu.Unlock()
		limit := int64(-1)
		if hold != nil {
			limit = hold(rest, from, w)
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(data)-int(from)))
		if from > 0 {
			w.Header().Set("Content-Range", "bytes "+strconv.FormatInt(from, 10)+"-"+strconv.Itoa(len(data)-1)+"/"+strconv.Itoa(len(data)))
			w.WriteHeader(http.StatusPartialContent)
		}
		body := data[from:]
		if limit >= 0 && limit < int64(len(body)) {
			w.Write(body[:limit])
			s.sent.Add(limit)
			w.(http.Flusher).Flush()
			<-r.Context().Done() // the rest never comes
			return
		}
		w.Write(body)
		s.sent.Add(int64(len(body)))
		return
	}
	http.NotFound(w, r)
}

// catalogEntry describes the files in dir as a catalog model of repo.
func catalogEntry(t testing.TB, name, kind, dir, repo string, withSums bool) models.CatalogModel {
	t.Helper()
	cm := models.CatalogModel{Name: name, Kind: kind, Title: "fixture " + name, Description: "a generated model", Repo: repo, Revision: fixtureRevision}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		f := models.CatalogFile{Path: filepath.ToSlash(rel), Size: int64(len(data))}
		if withSums {
			sum := sha256.Sum256(data)
			f.SHA256 = hex.EncodeToString(sum[:])
		}
		cm.Files = append(cm.Files, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return cm
}

// fixtureModels writes the scripted speech, emotion and embedding models,
// serves them, and returns a journal folder whose own catalog lists them,
// with the server's address for SAMO_MODEL_ENDPOINT.
func fixtureModels(t testing.TB) (home string, srv *modelServer, env []string) {
	t.Helper()
	root := t.TempDir()
	speech, emo, emb := filepath.Join(root, "speech"), filepath.Join(root, "emotion"), filepath.Join(root, "embedding")
	if err := whispertest.WriteScripted(speech, whispertest.ScriptConfig{}, ""); err != nil {
		t.Fatal(err)
	}
	vocab, _ := filepath.Abs(filepath.Join("..", "..", ".cache", "tokenizers", "bert-uncased", "tokenizer.json"))
	if err := emotiontest.WriteHFExport(emo, vocab); err != nil {
		t.Fatal(err)
	}
	words := append(slices.Clone(embedtest.Specials), "today", "walk", "river", "calm", "work")
	table := embedtest.Table(len(words), 8)
	if err := embedtest.Write(emb, embedtest.Export{Vocab: words, Model: embedtest.Scripted(embedtest.ScriptedSpec{Table: table, Hidden: 8}),
		Config: embedtest.Config("scripted-minilm", len(words), 8)}); err != nil {
		t.Fatal(err)
	}
	srv = &modelServer{repos: map[string]string{"samo/speech": speech, "samo/emotion": emo, "samo/embedding": emb}}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	cat := models.Catalog{Models: []models.CatalogModel{
		catalogEntry(t, "test-whisper", journal.ModelSpeech, speech, "samo/speech", true),
		catalogEntry(t, "test-emotions", journal.ModelEmotion, emo, "samo/emotion", false),
		catalogEntry(t, "test-minilm", journal.ModelEmbedding, emb, "samo/embedding", true),
	}}
	home = t.TempDir()
	raw, _ := json.Marshal(cat)
	if err := os.WriteFile(filepath.Join(home, engine.UserCatalogFile), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return home, srv, []string{engine.EnvModelEndpoint + "=" + hs.URL}
}

func listModels(t *testing.T, home string, env []string) map[string]journal.ModelListing {
	t.Helper()
	r := mustSucceed(t, samo(t, "", env, "--home", home, "models", "list", "--json"))
	var all []journal.ModelListing
	if err := json.Unmarshal([]byte(r.stdout), &all); err != nil {
		t.Fatalf("models list --json: %v\n%s", err, r.stdout)
	}
	out := map[string]journal.ModelListing{}
	for _, l := range all {
		out[l.Name] = l
	}
	return out
}

// mustHaveNoPartial checks no download is left in the models folder.
func mustHaveNoPartial(t *testing.T, home string) {
	t.Helper()
	left, _ := filepath.Glob(filepath.Join(home, "models", ".partial", "*"))
	hidden, _ := filepath.Glob(filepath.Join(home, "models", ".partial", ".*"))
	if len(left)+len(hidden) > 0 {
		t.Fatalf("left behind: %v %v", left, hidden)
	}
}

// Each kind of model is downloaded from the local server, verified,
// checked, installed and used; SAMO then reads with it.
func TestModels_GetEachKind(t *testing.T) {
	home, _, env := fixtureModels(t)
	doctor := func() engine.ModelsCheck {
		t.Helper()
		r := samo(t, "", env, "--home", home, "doctor", "--json")
		var rep engine.Report
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatalf("doctor --json: %v\n%s", err, r.stdout)
		}
		return rep.Models
	}
	if d := doctor(); d.Get != "samo models get whisper-base-int8" || len(d.Installed) != 2 {
		t.Fatalf("doctor before: %+v", d)
	}
	before := listModels(t, home, env)
	if !before[engine.BuiltInEmotion].InUse || !before[engine.BuiltInEmbedding].InUse || before["test-whisper"].Installed {
		t.Fatalf("before: %+v", before)
	}
	for _, name := range []string{"test-whisper", "test-emotions", "test-minilm"} {
		start := time.Now()
		r := mustSucceed(t, samo(t, "", env, "--home", home, "models", "get", name))
		t.Logf("%s: from get to in use in %v", name, time.Since(start).Round(time.Millisecond))
		if !strings.Contains(r.stdout, name+" is in use") || !strings.Contains(r.stderr, "done") {
			t.Fatalf("get %s: %s / %s", name, r.stdout, r.stderr)
		}
	}
	after := listModels(t, home, env)
	for _, name := range []string{"test-whisper", "test-emotions", "test-minilm"} {
		if l := after[name]; !l.Installed || !l.InUse || l.Folder != filepath.Join(home, "models", name) {
			t.Fatalf("%s after get: %+v", name, l)
		}
	}
	if after[engine.BuiltInEmotion].InUse || after[engine.BuiltInEmbedding].InUse {
		t.Fatal("the built-in models are still in use")
	}
	mustHaveNoPartial(t, home)
	if d := doctor(); d.Get != "" || len(d.Installed) != 5 {
		t.Fatalf("doctor after: %+v", d)
	}
	r := mustSucceed(t, samo(t, "", env, "--home", home, "doctor"))
	if !strings.Contains(r.stdout, "test-whisper (speech, in use)") {
		t.Fatalf("doctor lacks the installed models:\n%s", r.stdout)
	}

	// The models read: a new entry's emotions come from the downloaded one.
	mustSucceed(t, samo(t, "", env, "--home", home, "add", "I feel nervous about tomorrow"))
	if es := listJSON(t, env, home); es[0].Emotions.Model != "scripted-bert-goemotions" {
		t.Fatalf("read with %+v", es[0].Emotions)
	}
	// verify shows each file's digest, and where it came from.
	r = mustSucceed(t, samo(t, "", env, "--home", home, "models", "verify"))
	for _, want := range []string{"test-whisper: ok", "test-emotions: ok", "test-minilm: ok", "(from the catalog)", "(recorded at the first download)", "built-in-emotions: ok"} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("verify lacks %q:\n%s", want, r.stdout)
		}
	}
	// A changed file is found, and named.
	enc := filepath.Join(home, "models", "test-whisper", "config.json")
	os.WriteFile(enc, []byte("{}"), 0o644)
	r = samo(t, "", env, "--home", home, "models", "verify", "test-whisper")
	if r.code == 0 || !strings.Contains(r.stdout, "config.json") {
		t.Fatalf("verify of a changed file: %d %s %s", r.code, r.stdout, r.stderr)
	}
	// use goes back to the built-in model; remove of the one in use puts
	// the built-in one back first.
	mustSucceed(t, samo(t, "", env, "--home", home, "models", "use", engine.BuiltInEmotion))
	if l := listModels(t, home, env); l["test-emotions"].InUse || !l[engine.BuiltInEmotion].InUse {
		t.Fatal("use built-in-emotions did not switch")
	}
	mustSucceed(t, samo(t, "", env, "--home", home, "models", "remove", "test-minilm"))
	if l := listModels(t, home, env); l["test-minilm"].Installed || !l[engine.BuiltInEmbedding].InUse {
		t.Fatalf("after remove: %+v", l["test-minilm"])
	}
	if _, err := os.Stat(filepath.Join(home, "models", "test-minilm")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("the removed model's folder is still there")
	}
}

// With the built-in catalog alone, doctor suggests Whisper base (int8)
// to a person with no speech model.
func TestModels_DoctorSuggestsASpeechModel(t *testing.T) {
	r := samo(t, "", nil, "--home", t.TempDir(), "doctor")
	if !strings.Contains(r.stdout, "samo models get whisper-base-int8 downloads one") {
		t.Fatalf("doctor:\n%s", r.stdout)
	}
}

// A process killed mid-download leaves what it fetched; the next get
// resumes from there, and asks the server for the rest only.
func TestModels_ResumeAfterARestart(t *testing.T) {
	home, srv, env := fixtureModels(t)
	const big = "onnx/decoder_model_merged.onnx"
	data, _ := os.ReadFile(filepath.Join(srv.repo("samo/speech"), big))
	half := int64(len(data) / 2)
	var cut atomic.Bool
	cut.Store(true)
	srv.setHold(func(path string, from int64, w http.ResponseWriter) int64 {
		if path == big && cut.Load() {
			return half // then nothing: the process is killed while it waits
		}
		return -1
	})
	cmd := exec.Command(samoBin, "--home", home, "models", "get", "test-whisper")
	cmd.Env = append(append(os.Environ(), "SAMO_HOME="), env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	part := filepath.Join(home, "models", ".partial", "test-whisper", filepath.FromSlash(big)+".part")
	deadline := time.Now().Add(30 * time.Second)
	for {
		if st, err := os.Stat(part); err == nil && st.Size() == half {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the download never reached half of the decoder")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if l := listModels(t, home, env)["test-whisper"]; l.Installed || l.Partial < half {
		t.Fatalf("after the kill: %+v", l)
	}
	cut.Store(false)
	mustSucceed(t, samo(t, "", env, "--home", home, "models", "get", "test-whisper"))
	if !srv.started(big + "@" + strconv.FormatInt(half, 10)) {
		t.Fatalf("no request resumed at %d", half)
	}
	if l := listModels(t, home, env)["test-whisper"]; !l.InUse {
		t.Fatalf("after resuming: %+v", l)
	}
	mustHaveNoPartial(t, home)
}

// Two SAMO processes asking for one model: one downloads, the other waits
// and finds it installed; the server sends it once.
func TestModels_TwoProcessesAtOnce(t *testing.T) {
	home, srv, env := fixtureModels(t)
	var wg sync.WaitGroup
	results := make([]result, 2)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = samo(t, "", env, "--home", home, "models", "get", "test-emotions")
		}()
	}
	wg.Wait()
	for _, r := range results {
		mustSucceed(t, r)
	}
	var size int64
	for _, f := range catalogEntry(t, "x", "emotion", srv.repo("samo/emotion"), "samo/emotion", false).Files {
		size += f.Size
	}
	if got := srv.sent.Load(); got != size {
		t.Fatalf("the server sent %d bytes for a %d-byte model", got, size)
	}
	mustHaveNoPartial(t, home)
}

// A model that downloads whole but does not work is not installed, and
// the model in use stays in use.
func TestModels_BrokenModelStaysOut(t *testing.T) {
	home, srv, env := fixtureModels(t)
	mustSucceed(t, samo(t, "", env, "--home", home, "models", "get", "test-whisper"))
	broken := t.TempDir()
	if err := os.CopyFS(broken, os.DirFS(srv.repo("samo/speech"))); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(broken, "onnx", "encoder_model.onnx"), []byte("not a model"), 0o644)
	srv.setRepo("samo/broken", broken)
	cat := models.Catalog{Models: []models.CatalogModel{catalogEntry(t, "broken-whisper", journal.ModelSpeech, broken, "samo/broken", true)}}
	raw, _ := os.ReadFile(filepath.Join(home, engine.UserCatalogFile))
	var have models.Catalog
	json.Unmarshal(raw, &have)
	raw, _ = json.Marshal(have.Merge(cat))
	os.WriteFile(filepath.Join(home, engine.UserCatalogFile), raw, 0o644)

	r := samo(t, "", env, "--home", home, "models", "get", "broken-whisper")
	if r.code == 0 || !strings.Contains(r.stderr, "does not work, so it was not installed") {
		t.Fatalf("get of a broken model: %d %s", r.code, r.stderr)
	}
	l := listModels(t, home, env)
	if l["broken-whisper"].Installed || !l["test-whisper"].InUse {
		t.Fatalf("after the failure: broken %+v, previous %+v", l["broken-whisper"], l["test-whisper"])
	}
	mustHaveNoPartial(t, home)
}

// Errors a person can act on: an unknown name, a 404, no network, a full
// disk.
func TestModels_ClearErrors(t *testing.T) {
	home, srv, env := fixtureModels(t)
	if r := samo(t, "", env, "--home", home, "models", "get", "whisper-huge"); r.code == 0 || !strings.Contains(r.stderr, "no such model in the catalog") {
		t.Fatalf("unknown model: %s", r.stderr)
	}
	srv.setRepo("samo/embedding", "")
	if r := samo(t, "", env, "--home", home, "models", "get", "test-minilm"); r.code == 0 || !strings.Contains(r.stderr, "404") {
		t.Fatalf("404: %s", r.stderr)
	}
	mustHaveNoPartial(t, home)
	needNamespace(t, "-rn")
	// With no network at all (and the real endpoint), a clear refusal.
	r := unshared(t, []string{"-rn"}, home, nil, "models", "get", "all-minilm-l6-v2-int8")
	if r.code == 0 || !strings.Contains(r.stderr, "no network") || !strings.Contains(r.stderr, "huggingface.co") {
		t.Fatalf("no network: %d %s", r.code, r.stderr)
	}
	mustHaveNoPartial(t, home)
	// A disk too small for the model: refused before a byte is fetched.
	needNamespace(t, "-rm")
	small := filepath.Join(t.TempDir(), "small")
	os.MkdirAll(filepath.Join(small, "models"), 0o755)
	os.WriteFile(filepath.Join(small, engine.UserCatalogFile), mustRead(t, filepath.Join(home, engine.UserCatalogFile)), 0o644)
	sent := srv.sent.Load()
	r = unshared(t, []string{"-rm", "sh", "-c", `mount -t tmpfs -o size=2m tmpfs "$0/models" && exec "$@"`, small}, small, env, "models", "get", "test-whisper")
	if r.code == 0 || !strings.Contains(r.stderr, "not enough disk space") || srv.sent.Load() != sent {
		t.Fatalf("a full disk: %d %s", r.code, r.stderr)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// unshared runs samo through unshare with its options (a network or mount
// namespace).
func unshared(t *testing.T, how []string, home string, env []string, args ...string) result {
	t.Helper()
	// With sh -c '…' "$0", samo and its arguments follow as "$@".
	argv := append(slices.Clone(how), append([]string{samoBin, "--home", home}, args...)...)
	return runCommand(t, exec.Command("unshare", argv...), env)
}

// Every command but the model manager's downloads works with no network at
// all: run in a network namespace without one, each succeeds.
func TestModels_EverythingElseWorksOffline(t *testing.T) {
	needNamespace(t, "-rn")
	home, _, env := fixtureModels(t)
	mustSucceed(t, samo(t, "", env, "--home", home, "models", "get", "test-whisper"))
	mustSucceed(t, samo(t, "", env, "--home", home, "models", "get", "test-minilm"))
	dir := t.TempDir()
	wav := speechWAV(t, 12, 1, 6)
	offline := func(args ...string) result {
		t.Helper()
		r := unshared(t, []string{"-rn"}, home, nil, args...)
		if r.code != 0 {
			t.Fatalf("offline %v: exit %d\n%s\n%s", args, r.code, r.stdout, r.stderr)
		}
		return r
	}
	offline("add", "A long walk by the river, calm at last.")
	offline("add", "--tag", "work", "Nervous about the review at work tomorrow.")
	id := listJSON(t, nil, home)[0].ID
	for _, args := range [][]string{
		{"list"}, {"show", id}, {"edit", id, "Nervous about the review tomorrow."}, {"correct", id, "fear"},
		{"analyze", "I am so happy today"}, {"search", "river"}, {"similar", id}, {"lane"}, {"lane", "--on-this-day"},
		{"insights"}, {"chart", "timeline", "--out", filepath.Join(dir, "chart.png")}, {"reindex", "--all"}, {"reanalyze"},
		{"export", "--format", "json", "--output", filepath.Join(dir, "out.json")}, {"import", filepath.Join(dir, "out.json")},
		{"backup", filepath.Join(dir, "backup.db")}, {"transcribe", wav}, {"vad", wav},
		{"models", "list"}, {"models", "verify"}, {"models", "use", engine.BuiltInEmbedding}, {"emotions", "health"},
	} {
		offline(args...)
	}
	// The download itself says why it cannot.
	if r := unshared(t, []string{"-rn"}, home, env, "models", "get", "test-emotions"); r.code == 0 || !strings.Contains(r.stderr, "no network") {
		t.Fatalf("get offline: %d %s", r.code, r.stderr)
	}
}

// BenchmarkModels_GetToInUse: from `samo models get` to the model in use,
// for each scripted fixture served on loopback (a process each: download,
// verify, open and run in the download folder, install, open and run
// again as it becomes the one in use).
func BenchmarkModels_GetToInUse(b *testing.B) {
	for _, name := range []string{"test-whisper", "test-emotions", "test-minilm"} {
		b.Run(name, func(b *testing.B) {
			first, _, env := fixtureModels(b)
			catalog, err := os.ReadFile(filepath.Join(first, engine.UserCatalogFile))
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				home := b.TempDir()
				if err := os.WriteFile(filepath.Join(home, engine.UserCatalogFile), catalog, 0o644); err != nil {
					b.Fatal(err)
				}
				cmd := exec.Command(samoBin, "--home", home, "models", "get", name)
				cmd.Env = append(append(os.Environ(), "SAMO_HOME="), env...)
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("%v: %s", err, out)
				}
			}
		})
	}
}

// Downloads go through the proxy HTTP_PROXY names (HTTPS_PROXY for an
// https endpoint), as every other tool's do: the endpoint's host is not
// resolvable here, only the proxy can reach it.
func TestModels_ThroughAProxy(t *testing.T) {
	home, srv, _ := fixtureModels(t)
	var proxied atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Host != "models.samo.invalid" {
			http.Error(w, "not for this proxy", http.StatusBadGateway)
			return
		}
		proxied.Add(1)
		srv.ServeHTTP(w, r)
	}))
	defer proxy.Close()
	env := []string{engine.EnvModelEndpoint + "=http://models.samo.invalid", "HTTP_PROXY=" + proxy.URL, "NO_PROXY=", "no_proxy="}
	mustSucceed(t, samo(t, "", env, "--home", home, "models", "get", "test-minilm"))
	if proxied.Load() == 0 {
		t.Fatal("nothing went through the proxy")
	}
}

// Ctrl-C cancels a download: SAMO says so and keeps nothing of it.
func TestModels_InterruptCancels(t *testing.T) {
	home, srv, env := fixtureModels(t)
	const big = "onnx/decoder_model_merged.onnx"
	srv.setHold(func(path string, from int64, w http.ResponseWriter) int64 {
		if path == big {
			return 1000
		}
		return -1
	})
	cmd := exec.Command(samoBin, "--home", home, "models", "get", "test-whisper")
	cmd.Env = append(append(os.Environ(), "SAMO_HOME="), env...)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	part := filepath.Join(home, "models", ".partial", "test-whisper", filepath.FromSlash(big)+".part")
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if st, err := os.Stat(part); err == nil && st.Size() == 1000 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the download never started")
		}
	}
	cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); err == nil || !strings.Contains(errb.String(), "download cancelled") {
		t.Fatalf("after Ctrl-C: %v\n%s", err, errb.String())
	}
	mustHaveNoPartial(t, home)
	if l := listModels(t, home, env)["test-whisper"]; l.Installed || l.Partial != 0 {
		t.Fatalf("after Ctrl-C: %+v", l)
	}
}

// needNamespace skips the rest of a test where unshare cannot make the
// namespace (-rn: no network; -rm: a mount namespace for a tmpfs), as in a
// container that forbids them; the skip names what was not checked.
func needNamespace(t *testing.T, how string) {
	t.Helper()
	if out, err := exec.Command("unshare", how, "true").CombinedOutput(); err != nil {
		t.Skipf("unshare %s is not allowed here (%v: %s): this part is not checked on this machine", how, err, bytes.TrimSpace(out))
	}
}
