package locale

import "golang.org/x/sys/windows"

// systemLocales asks Windows for the person's display languages, most
// preferred first; they are BCP 47 tags already.
func systemLocales() ([]string, error) {
	return windows.GetUserPreferredUILanguages(windows.MUI_LANGUAGE_NAME)
}
