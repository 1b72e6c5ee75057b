//go:build !darwin && !windows

package locale

// systemLocales is the choice made outside the environment: on Linux and
// the BSDs the environment is the only place, so none.
func systemLocales() ([]string, error) { return nil, nil }
