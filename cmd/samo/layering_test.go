package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The domain, storage, inference and audio packages must never depend on
// the GUI toolkit: they are used headless and by the CLI.
func TestLayering_CorePackagesDoNotImportFyne(t *testing.T) {
	for _, pkg := range []string{"journal", "storage", "inference", "audio"} {
		out, err := exec.Command("go", "list", "-deps", "-tags", "migrated_fynedo", "../../"+pkg+"/...").CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", pkg, err, out)
		}
		for dep := range strings.FieldsSeq(string(out)) {
			if strings.HasPrefix(dep, "fyne.io/") {
				t.Errorf("%s depends on %s", pkg, dep)
			}
		}
	}
}
