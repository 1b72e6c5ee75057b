// This module stands in for github.com/jeandeaual/go-locale, which Fyne uses
// to read the person's language (see the replace directive in SAMO's go.mod).
// It is SAMO's own code with the same four functions. It exists because the
// original treats LANG=C.UTF-8, the default of many containers and CI
// machines, as the language "C", which Fyne then fails to parse and reports
// on standard error at start-up, before main runs, in every samo command.
module github.com/jeandeaual/go-locale

go 1.26.0

require golang.org/x/sys v0.50.0
