package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The domain, storage, inference and audio packages must never depend on
// the GUI toolkit: they are used headless and by the CLI.
func TestLayering_CorePackagesDoNotImportFyne(t *testing.T) {
	for _, pkg := range []string{"journal", "storage", "inference", "audio"} {
		for dep := range strings.FieldsSeq(goListDeps(t, "../../"+pkg+"/...")) {
			if strings.HasPrefix(dep, "fyne.io/") {
				t.Errorf("%s depends on %s", pkg, dep)
			}
		}
	}
}

// The window reaches the journal through journal.Service only: neither the
// ui package nor its tests depend on the bbolt journal.
func TestLayering_UIDoesNotReachTheStore(t *testing.T) {
	for dep := range strings.FieldsSeq(goListDeps(t, "-test", "../../ui")) {
		if dep == "github.com/samojournal/samo/storage" || strings.HasPrefix(dep, "go.etcd.io/bbolt") {
			t.Errorf("ui depends on %s", dep)
		}
	}
}

// cmd/samo holds wiring and printing: one file (the wiring) knows the
// journal is a bbolt file, the package stays small, and so do its functions.
// (The bound was 1,500 lines for the 26 commands before Memory Lane; its
// search, similar, lane, reindex and embeddings commands, flag parsing and
// printing only, take about 200 more, insights and chart about 100, and
// emotions personalize and health with the printing helper about 50, the
// model manager's group (list, get, install, verify, remove, use: flags
// and printing) about 110, and dictate and play --at about 130; their
// listing, verifying and live-text logic is in journal and
// internal/terminal.)
func TestLayering_CommandLineStaysThin(t *testing.T) {
	const maxLines, maxFuncLines = 2115, 60
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	lines := 0
	var storageUsers []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		lines += strings.Count(string(src), "\n")
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == "github.com/samojournal/samo/storage" {
				storageUsers = append(storageUsers, name)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			var body *ast.BlockStmt
			switch x := n.(type) {
			case *ast.FuncDecl:
				body = x.Body
			case *ast.FuncLit:
				body = x.Body
			}
			if body != nil {
				if n := fset.Position(body.End()).Line - fset.Position(body.Pos()).Line + 1; n > maxFuncLines {
					t.Errorf("%s: a function of %d lines (at most %d)", fset.Position(body.Pos()), n, maxFuncLines)
				}
			}
			return true
		})
	}
	if lines >= maxLines {
		t.Errorf("cmd/samo holds %d non-test lines; keep it under %d (domain work belongs in journal, inference, audio or storage)", lines, maxLines)
	}
	if len(storageUsers) != 1 || storageUsers[0] != "wire.go" {
		t.Errorf("files importing storage: %v; only wire.go may", storageUsers)
	}
}

func goListDeps(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list", "-deps", "-tags", "migrated_fynedo"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// The model manager is the only code in SAMO that opens a network
// connection: no other package of the module imports the network packages.
func TestLayering_OnlyTheModelManagerUsesTheNetwork(t *testing.T) {
	out, err := exec.Command("go", "list", "-tags", "migrated_fynedo", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "../../...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	network := map[string]bool{"net": true, "net/http": true, "net/url": true, "crypto/tls": true, "net/rpc": true, "net/smtp": true}
	users := 0
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		for _, imp := range fields[1:] {
			if !network[imp] {
				continue
			}
			if fields[0] != "github.com/samojournal/samo/inference/models" {
				t.Errorf("%s imports %s; only inference/models may use the network", fields[0], imp)
			}
			users++
		}
	}
	if users == 0 {
		t.Error("no package imports the network packages: the check reads nothing")
	}
}
