package models

import (
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

// BenchmarkDownload fetches a 500 MB file from a server on loopback
// (serving it from disk, with range requests) through the manager, with
// its sha256 check, and with curl from the same server into the same
// folder: MB/s each, their ratio, and the manager's peak Go heap while it
// downloads (it must not grow with the file).
func BenchmarkDownload(b *testing.B) {
	const size = 500 << 20
	src := filepath.Join(b.TempDir(), "model.onnx")
	f, err := os.Create(src)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.CopyN(f, rand.Reader, size); err != nil {
		b.Fatal(err)
	}
	f.Close()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, src)
	}))
	defer hs.Close()
	sum, err := fileSHA256(context.Background(), src)
	if err != nil {
		b.Fatal(err)
	}
	cm := CatalogModel{Name: "big", Kind: KindSpeech, Title: "big", Repo: testRepo, Revision: testRev,
		Files: []CatalogFile{{Path: "model.onnx", Size: size, SHA256: sum}}}
	curl, curlErr := exec.LookPath("curl")
	var samoS, curlS, peak float64
	for b.Loop() {
		dir := b.TempDir()
		m := NewManager(filepath.Join(dir, "models"), Catalog{Models: []CatalogModel{cm}}, hs.URL)
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		var top uint64
		go func() { // the heap, every 50 ms
			defer wg.Done()
			for {
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				top = max(top, ms.HeapInuse)
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond):
				}
			}
		}()
		start := time.Now()
		if _, err := m.Get(context.Background(), cm.Name, nil, nil); err != nil {
			b.Fatal(err)
		}
		samoS += time.Since(start).Seconds()
		close(stop)
		wg.Wait()
		peak = max(peak, float64(top-min(top, base.HeapInuse))/(1<<20))
		os.RemoveAll(m.Folder(cm.Name))
		if curlErr == nil {
			start = time.Now()
			out := filepath.Join(dir, "curl.onnx")
			if msg, err := exec.Command(curl, "-sS", "-o", out, m.URL(cm, cm.Files[0])).CombinedOutput(); err != nil {
				b.Fatalf("curl: %v %s", err, msg)
			}
			if got, _ := fileSHA256(context.Background(), out); got != sum {
				b.Fatal("curl's copy differs")
			}
			curlS += time.Since(start).Seconds()
			os.Remove(out)
		}
	}
	n := float64(b.N)
	b.ReportMetric(size/1e6/(samoS/n), "samo-MB/s")
	if curlErr == nil {
		b.ReportMetric(size/1e6/(curlS/n), "curl-MB/s")
		b.ReportMetric(curlS/samoS, "samo/curl-speed")
	}
	b.ReportMetric(peak, "peak-heap-MiB")
}
