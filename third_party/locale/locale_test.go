package locale

import (
	"slices"
	"testing"
)

func TestFromEnv(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"nothing set", nil, nil},
		{"C.UTF-8 chooses no language", map[string]string{"LANG": "C.UTF-8"}, nil},
		{"C.utf8", map[string]string{"LANG": "C.utf8"}, nil},
		{"C", map[string]string{"LANG": "C"}, nil},
		{"POSIX", map[string]string{"LC_ALL": "POSIX"}, nil},
		{"C ignores LANGUAGE", map[string]string{"LANG": "C.UTF-8", "LANGUAGE": "fr"}, nil},
		{"language and region", map[string]string{"LANG": "en_GB.UTF-8"}, []string{"en-GB"}},
		{"modifier", map[string]string{"LANG": "de_DE@euro"}, []string{"de-DE"}},
		{"language only", map[string]string{"LANG": "fr"}, []string{"fr"}},
		{"LC_ALL wins", map[string]string{"LC_ALL": "es_ES.UTF-8", "LANG": "en_US.UTF-8"}, []string{"es-ES"}},
		{"LC_MESSAGES before LANG", map[string]string{"LC_MESSAGES": "it_IT", "LANG": "en_US"}, []string{"it-IT"}},
		{"LANGUAGE list", map[string]string{"LANG": "en_US.UTF-8", "LANGUAGE": "pt_BR:pt:en"}, []string{"pt-BR", "pt", "en"}},
		{"numeric region", map[string]string{"LANG": "es_419.UTF-8"}, []string{"es-419"}},
		{"garbage dropped", map[string]string{"LANG": "en_US", "LANGUAGE": "x:C:en_US"}, []string{"en-US"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := fromEnv(func(k string) string { return c.env[k] })
			if !slices.Equal(got, c.want) {
				t.Errorf("fromEnv(%v) = %q, want %q", c.env, got, c.want)
			}
		})
	}
}

func TestGetLocaleParts(t *testing.T) {
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANGUAGE", "")
	t.Setenv("LANG", "en_CA.UTF-8")
	if got, _ := GetLocale(); got != "en-CA" {
		t.Errorf("GetLocale = %q, want en-CA", got)
	}
	if got, _ := GetLanguage(); got != "en" {
		t.Errorf("GetLanguage = %q, want en", got)
	}
	if got, _ := GetRegion(); got != "CA" {
		t.Errorf("GetRegion = %q, want CA", got)
	}
}
