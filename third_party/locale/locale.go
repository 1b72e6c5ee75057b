// Package locale tells the languages the person has chosen, as IETF BCP 47
// tags such as "en-US" or "fr". It reads the POSIX locale variables on
// Linux and the BSDs, falls back to the system's preference on macOS and
// Windows, and treats the C and POSIX locales (with or without an encoding,
// as in C.UTF-8) as no choice at all, so callers fall back to their default.
package locale

import (
	"os"
	"strings"
)

// GetLocale returns the first of the person's languages, or "" when none is
// set.
func GetLocale() (string, error) {
	all, err := GetLocales()
	if len(all) == 0 {
		return "", err
	}
	return all[0], err
}

// GetLocales returns the person's languages, most preferred first; nil when
// none is set.
func GetLocales() ([]string, error) {
	if tags := fromEnv(os.Getenv); len(tags) > 0 {
		return tags, nil
	}
	return systemLocales()
}

// GetLanguage returns the language part of GetLocale, e.g. "en".
func GetLanguage() (string, error) {
	tag, err := GetLocale()
	lang, _, _ := strings.Cut(tag, "-")
	return lang, err
}

// GetRegion returns the region part of GetLocale, e.g. "US", or "" when the
// locale names none.
func GetRegion() (string, error) {
	tag, err := GetLocale()
	_, region, _ := strings.Cut(tag, "-")
	return region, err
}

// fromEnv reads the locale variables in the order gettext gives them:
// LC_ALL, then LC_MESSAGES, then LANG decide the locale; unless that locale
// is C or POSIX, LANGUAGE (a colon-separated list) refines it.
func fromEnv(getenv func(string) string) []string {
	var chosen string
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if chosen = getenv(name); chosen != "" {
			break
		}
	}
	if isPlain(chosen) {
		return nil
	}
	list := []string{chosen}
	if languages := getenv("LANGUAGE"); languages != "" {
		list = strings.Split(languages, ":")
	}
	var tags []string
	for _, l := range list {
		if tag := toTag(l); tag != "" {
			tags = append(tags, tag)
		}
	}
	return tags
}

// isPlain reports whether a POSIX locale name chooses no language: empty,
// C or POSIX, whatever its encoding or modifier (C.UTF-8, C.utf8, POSIX@x).
func isPlain(name string) bool {
	base := name
	if i := strings.IndexAny(base, ".@"); i >= 0 {
		base = base[:i]
	}
	return base == "" || base == "C" || base == "POSIX"
}

// toTag turns a POSIX locale name (ll_CC.encoding@modifier) into a BCP 47
// tag (ll-CC); it returns "" for a name that chooses no language or is not
// made of letters.
func toTag(name string) string {
	if isPlain(name) {
		return ""
	}
	if i := strings.IndexAny(name, ".@"); i >= 0 {
		name = name[:i]
	}
	lang, region, _ := strings.Cut(strings.ReplaceAll(name, "_", "-"), "-")
	if !letters(lang) || (region != "" && !alnum(region)) {
		return ""
	}
	if region == "" {
		return strings.ToLower(lang)
	}
	return strings.ToLower(lang) + "-" + strings.ToUpper(region)
}

func letters(s string) bool {
	if len(s) < 2 || len(s) > 8 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return false
		}
	}
	return true
}

func alnum(s string) bool {
	if len(s) < 2 || len(s) > 8 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}
