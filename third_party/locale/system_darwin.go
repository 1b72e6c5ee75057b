package locale

import (
	"os/exec"
	"strings"
)

// systemLocales asks macOS for the person's languages (System Settings,
// Language & Region), as a desktop app started from Finder has no LANG.
func systemLocales() ([]string, error) {
	out, err := exec.Command("defaults", "read", "-g", "AppleLanguages").Output()
	if err != nil {
		return nil, err
	}
	// The output is a property list array: ( "en-GB", "fr-FR" ).
	var tags []string
	for _, field := range strings.FieldsFunc(string(out), func(r rune) bool {
		return r == '(' || r == ')' || r == ',' || r == '"' || r == ' ' || r == '\n' || r == '\t'
	}) {
		if tag := toTag(field); tag != "" {
			tags = append(tags, tag)
		}
	}
	return tags, nil
}
