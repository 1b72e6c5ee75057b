// Command samo is SAMO, a private, offline voice journal. With no arguments
// it opens the journal window; its subcommands do the same work headless.
package main

import "os"

// version is set at build time by the Makefile (-ldflags "-X main.version=…").
var version = "dev"

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
