package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/samojournal/samo/inference/embed/embedtest"
	"github.com/samojournal/samo/journal"
)

// found is a search result as `--json` prints it.
type found struct {
	ID      string          `json:"id"`
	Why     []string        `json:"why"`
	Snippet journal.Snippet `json:"snippet"`
	Score   float64         `json:"score"`
}

func searchJSON(t *testing.T, home string, args ...string) []found {
	t.Helper()
	r := mustSucceed(t, samo(t, "", nil, append([]string{"--home", home}, append(args, "--json")...)...))
	var fs []found
	if err := json.Unmarshal([]byte(r.stdout), &fs); err != nil {
		t.Fatalf("%v: not JSON: %v\n%s", args, err, r.stdout)
	}
	return fs
}

func addAt(t *testing.T, home, at, text string, more ...string) string {
	t.Helper()
	r := mustSucceed(t, samo(t, "", nil, append([]string{"--home", home, "add", "--at", at}, append(more, text)...)...))
	return strings.TrimSpace(strings.TrimPrefix(r.stdout, "saved "))
}

func TestCLI_SearchSimilarAndLane(t *testing.T) {
	home := t.TempDir()
	keys := addAt(t, home, "2024-03-02 21:00", "Lost my keys and waited on the doorstep until midnight.")
	river := addAt(t, home, "2025-03-02 18:00", "Walked the dog by the river; I was so happy and grateful.", "--tag", "outside")
	exam := addAt(t, home, "2025-06-10 09:00", "So nervous before the exam that I could not eat breakfast.")

	fs := searchJSON(t, home, "search", "locked", "out", "of", "my", "home")
	if len(fs) == 0 || fs[0].ID != keys || !slices.Contains(fs[0].Why, journal.ByMeaning) {
		t.Errorf("locked out of my home: %+v", fs)
	}
	fs = searchJSON(t, home, "search", "river", "--tag", "outside")
	if len(fs) != 1 || fs[0].ID != river || !slices.Contains(fs[0].Why, journal.ByWords) || len(fs[0].Snippet.Marks) != 1 {
		t.Errorf("river @outside: %+v", fs)
	}
	fs = searchJSON(t, home, "search", `"the doorstep" -from 2024 -to 2024`)
	if len(fs) != 1 || fs[0].ID != keys {
		t.Errorf("a phrase in 2024: %+v", fs)
	}
	r := samo(t, "", nil, "--home", home, "search", `"unclosed`)
	if r.code == 0 || !strings.Contains(r.stderr, "quote is not closed") {
		t.Errorf("a bad search: exit %d, %s", r.code, r.stderr)
	}
	r = samo(t, "", nil, "--home", home, "search", "x", "--emotion", "hunger")
	if r.code == 0 || !strings.Contains(r.stderr, "hunger") {
		t.Errorf("an unknown emotion: exit %d, %s", r.code, r.stderr)
	}

	fs = searchJSON(t, home, "similar", exam, "--by", "meaning")
	if slices.ContainsFunc(fs, func(f found) bool { return f.ID == exam }) {
		t.Errorf("similar lists the entry itself: %+v", fs)
	}

	r = mustSucceed(t, samo(t, "", nil, "--home", home, "lane", "--by", "year", "--json"))
	var tl journal.Timeline
	if err := json.Unmarshal([]byte(r.stdout), &tl); err != nil || len(tl.Periods) != 2 || tl.Periods[0].Count != 2 || tl.Periods[1].Label != "2024" {
		t.Errorf("lane --by year: %v\n%s", err, r.stdout)
	}
	r = mustSucceed(t, samo(t, "", nil, "--home", home, "lane", "--on-this-day", "--date", "2025-03-02"))
	if !strings.Contains(r.stdout, "1 year ago") || !strings.Contains(r.stdout, keys) {
		t.Errorf("on this day:\n%s", r.stdout)
	}
	r = mustSucceed(t, samo(t, "", nil, "--home", home, "reindex"))
	if !strings.Contains(r.stdout, "embedded 0 entries") {
		t.Errorf("reindex with the model the entries were saved with:\n%s", r.stdout)
	}
}

// An installed sentence-embedding export replaces the built-in one;
// reindex embeds the entries again with it, and use-default goes back.
func TestCLI_EmbeddingsInstall(t *testing.T) {
	home, model := t.TempDir(), t.TempDir()
	vocab := append(slices.Clone(embedtest.Specials), "keys", "lost", "doorstep", "river", "dog", "walked")
	const hidden = 8
	err := embedtest.Write(model, embedtest.Export{Vocab: vocab, Config: embedtest.Config("scripted-minilm", len(vocab), hidden),
		Model: embedtest.Scripted(embedtest.ScriptedSpec{Table: embedtest.Table(len(vocab), hidden), Hidden: hidden})})
	if err != nil {
		t.Fatal(err)
	}
	addAt(t, home, "2024-03-02 21:00", "Lost my keys at the doorstep.")
	addAt(t, home, "2024-03-03 21:00", "Walked the dog by the river.")

	r := samo(t, "", nil, "--home", home, "embeddings", "install", t.TempDir())
	if r.code == 0 || !strings.Contains(r.stderr, "not installed") {
		t.Errorf("an empty folder: exit %d, %s", r.code, r.stderr)
	}
	r = mustSucceed(t, samo(t, "", nil, "--home", home, "embeddings", "install", model))
	if !strings.Contains(r.stdout, "scripted-minilm") {
		t.Errorf("install:\n%s", r.stdout)
	}
	r = mustSucceed(t, samo(t, "", nil, "--home", home, "reindex"))
	if !strings.Contains(r.stdout, "embedded 2 entries") {
		t.Errorf("reindex after install:\n%s", r.stdout)
	}
	r = mustSucceed(t, samo(t, "", nil, "--home", home, "show", "--json", strings.TrimSpace(mustSucceed(t, samo(t, "", nil, "--home", home, "list", "--limit", "1")).stdout[:26])))
	var e journal.Entry
	if err := json.Unmarshal([]byte(r.stdout), &e); err != nil || e.Embedding == nil || e.Embedding.Model != "scripted-minilm" || e.Embedding.Dim != hidden {
		t.Errorf("the entry's embedding after reindex: %v %+v", err, e.Embedding)
	}
	if fs := searchJSON(t, home, "search", "dog"); len(fs) == 0 {
		t.Error("no search results with the installed model")
	}
	var rep struct {
		Embedding struct {
			Name, Source, Error string
			Dim                 int
		} `json:"embedding_model"`
	}
	r = samo(t, "", nil, "--home", home, "doctor", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || rep.Embedding.Name != "scripted-minilm" || rep.Embedding.Dim != hidden || rep.Embedding.Error != "" {
		t.Errorf("doctor's embedding model: %+v (%v)\n%s", rep.Embedding, err, r.stdout)
	}
	mustSucceed(t, samo(t, "", nil, "--home", home, "embeddings", "use-default"))
	r = mustSucceed(t, samo(t, "", nil, "--home", home, "reindex"))
	if !strings.Contains(r.stdout, "embedded 2 entries") {
		t.Errorf("reindex after use-default:\n%s", r.stdout)
	}
}
