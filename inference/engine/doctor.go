package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/samojournal/samo/audio"
	"github.com/samojournal/samo/inference"
	"github.com/samojournal/samo/inference/embed"
	"github.com/samojournal/samo/inference/emotion"
	"github.com/samojournal/samo/inference/vad"
	"github.com/samojournal/samo/inference/whisper"
	"github.com/samojournal/samo/inference/wordvec"
	"github.com/samojournal/samo/journal"
)

// Report is what `samo doctor` finds (its JSON is the contract of
// `samo doctor --json`). Each part carries its own error
// so one missing piece never hides the others.
type Report struct {
	SAMO        string       `json:"samo_version"`
	Platform    string       `json:"platform"`
	Journal     JournalCheck `json:"journal"`
	ONNXRuntime ORTCheck     `json:"onnxruntime"`
	VADModel    ModelCheck   `json:"vad_model"`
	Emotion     EmotionCheck `json:"emotion_model"`
	Speech      SpeechCheck  `json:"speech_model"`
	Embedding   EmbedCheck   `json:"embedding_model"`
	Models      ModelsCheck  `json:"models"`
	Audio       AudioCheck   `json:"audio"`
	// Warnings are problems that do not stop SAMO, such as an execution
	// provider that fell back to the CPU.
	Warnings []string `json:"warnings,omitempty"`
	OK       bool     `json:"ok"`
}

// JournalCheck is what the journal check found (made by the caller, which
// opens the journal).
type JournalCheck struct {
	Home      string `json:"home"`
	Path      string `json:"path"`
	Entries   int    `json:"entries"`
	Encrypted bool   `json:"encrypted"`
	// Locked is true for an encrypted journal that no passphrase was given for.
	Locked bool `json:"locked,omitempty"`
	// Damaged are the ids of the entries that cannot be read.
	Damaged []string `json:"damaged,omitempty"`
	// Error says what is wrong with the journal and what to do about it.
	Error string `json:"error,omitempty"`
	// EmotionHealth is how well the emotion model reads this journal's
	// writer, when the journal could be read.
	EmotionHealth *journal.Health `json:"emotion_health,omitempty"`
}

// ORTCheck is the onnxruntime library found.
type ORTCheck struct {
	Version string `json:"version,omitempty"`
	Library string `json:"library,omitempty"`
	Error   string `json:"error,omitempty"`
}

// ModelCheck is a model file and how it opened.
type ModelCheck struct {
	Path    string                 `json:"path,omitempty"`
	Bytes   int64                  `json:"bytes,omitempty"`
	SHA256  string                 `json:"sha256,omitempty"`
	Inputs  []inference.TensorInfo `json:"inputs,omitempty"`
	Outputs []inference.TensorInfo `json:"outputs,omitempty"`
	// Provider is the onnxruntime execution provider the model runs on.
	Provider string `json:"provider,omitempty"`
	Error    string `json:"error,omitempty"`
}

// SpeechCheck is the installed speech model, if any.
type SpeechCheck struct {
	Dir string `json:"dir,omitempty"`
	// Languages is 1 for an English-only model.
	Languages int    `json:"languages,omitempty"`
	Provider  string `json:"provider,omitempty"`
	Error     string `json:"error,omitempty"`
}

// EmotionCheck is the emotion model in use.
type EmotionCheck struct {
	Name         string `json:"name,omitempty"`
	Version      string `json:"version,omitempty"`
	Architecture string `json:"architecture,omitempty"`
	Precision    string `json:"precision,omitempty"`
	// Source is "built-in" or the bundle's folder.
	Source string `json:"source,omitempty"`
	// Provider is the onnxruntime execution provider the model runs on.
	Provider string `json:"provider,omitempty"`
	Error    string `json:"error,omitempty"`
}

// EmbedCheck is the embedding model behind Memory Lane's "by meaning".
type EmbedCheck struct {
	Name    string `json:"name,omitempty"`
	Version string `json:"version,omitempty"`
	Dim     int    `json:"dim,omitempty"`
	// Source is "built-in" or the installed export's folder.
	Source   string `json:"source,omitempty"`
	Provider string `json:"provider,omitempty"`
	Error    string `json:"error,omitempty"`
}

// ModelsCheck is what the model manager holds: the models installed, the
// downloads interrupted, and what to run for a model that is missing.
type ModelsCheck struct {
	Dir       string                 `json:"dir,omitempty"`
	Installed []journal.ModelListing `json:"installed,omitempty"`
	// Partial names the interrupted downloads.
	Partial []string `json:"partial,omitempty"`
	// Get is the command that gets the suggested speech model, when none
	// is in use.
	Get   string `json:"get,omitempty"`
	Error string `json:"error,omitempty"`
}

// checkModels lists the installed models without opening them (their
// checks are the parts above).
func (e *Engine) checkModels(ctx context.Context) ModelsCheck {
	mc := ModelsCheck{Dir: e.cfg.ModelsDir}
	all, err := e.ListModels(ctx)
	if err != nil {
		mc.Error = err.Error()
		return mc
	}
	speech := false
	for _, l := range all {
		if l.Installed {
			mc.Installed = append(mc.Installed, journal.ModelListing{Name: l.Name, Kind: l.Kind, Source: l.Source, Installed: true, InUse: l.InUse, Folder: l.Folder})
		}
		if l.Partial > 0 && !l.Installed {
			mc.Partial = append(mc.Partial, l.Name)
		}
		speech = speech || l.Kind == journal.ModelSpeech && l.InUse
	}
	if !speech {
		if name := SuggestedModel(all, journal.ModelSpeech); name != "" {
			mc.Get = "samo models get " + name
		}
	}
	return mc
}

// SuggestedSpeechModel is the speech model offered to a person who has
// none: multilingual (it also reads a language other than English), good
// accuracy for its 80 MB.
const SuggestedSpeechModel = "whisper-base-int8"

// SuggestedModel is the catalog model of kind to offer a person who has
// none: SuggestedSpeechModel for speech where the catalog has it, else a
// quantized "base" one where there is one, else the smallest.
func SuggestedModel(all []journal.ModelListing, kind string) string {
	for _, l := range all {
		if kind == journal.ModelSpeech && l.Name == SuggestedSpeechModel && l.Source == "catalog" {
			return l.Name
		}
	}
	best := -1
	score := func(l journal.ModelListing) int64 {
		s := l.Size
		if l.Quantized {
			s /= 4
		}
		if strings.Contains(l.Name, "base") {
			s /= 4
		}
		return s
	}
	for i, l := range all {
		if l.Kind == kind && l.Source == "catalog" && (best < 0 || score(l) < score(all[best])) {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	return all[best].Name
}

// checkEmbedding opens the embedding model in use on rt.
func (e *Engine) checkEmbedding(rt *inference.Runtime) EmbedCheck {
	c, err := e.choose()
	if err != nil {
		return EmbedCheck{Error: err.Error()}
	}
	if c.embedDir == "" {
		g, err := wordvec.Default()
		if err != nil {
			return EmbedCheck{Source: "built-in", Error: err.Error()}
		}
		return EmbedCheck{Name: g.Name(), Version: g.Version(), Dim: g.Dim(), Source: "built-in"}
	}
	m, err := embed.Open(rt, c.embedDir, embed.WithProvider(c.provider))
	if err != nil {
		return EmbedCheck{Source: c.embedDir, Error: err.Error()}
	}
	defer m.Close()
	return EmbedCheck{Name: m.Name(), Version: m.Version(), Dim: m.Dim(), Source: c.embedDir, Provider: string(m.Provider())}
}

// AudioCheck is PortAudio and its input devices.
type AudioCheck struct {
	audio.Inventory
	Error string `json:"error,omitempty"`
}

// Check probes the onnxruntime library, the VAD model, the emotion and
// speech models in use and the microphones, on a runtime of its own (its
// warnings go into the report), each part with its own error so that one
// missing piece never hides the others; journal is the caller's check
// of the journal, version SAMO's version.
func (e *Engine) Check(ctx context.Context, version string, journal JournalCheck) Report {
	r := Report{SAMO: version, Platform: runtime.GOOS + "/" + runtime.GOARCH, Journal: journal}

	rt := inference.NewRuntime(inference.NewLocator(e.cfg.ORTLibrary, inference.EnvLibrary))
	defer rt.Close()
	rt.OnWarning(func(msg string) { r.Warnings = append(r.Warnings, msg) })
	if v, err := rt.Version(); err != nil {
		r.ONNXRuntime.Error = err.Error()
	} else {
		r.ONNXRuntime.Version, r.ONNXRuntime.Library = v, rt.LibraryPath()
	}

	if p, err := inference.NewLocator("", inference.EnvVADModel).FindVADModel(); err != nil {
		r.VADModel.Error = err.Error()
	} else {
		r.VADModel.Path = p
		r.VADModel.Bytes, r.VADModel.SHA256, err = fileDigest(p)
		if err == nil {
			var info inference.ModelInfo
			info, err = rt.Inspect(p)
			r.VADModel.Inputs, r.VADModel.Outputs = info.Inputs, info.Outputs
		}
		if err == nil {
			var prov inference.Provider
			if prov, err = e.Provider(); err == nil {
				var d *vad.Detector
				if d, err = vad.Open(rt, p, vad.Options{Provider: prov}); err == nil {
					r.VADModel.Provider = string(d.Provider())
					d.Close()
				}
			}
		}
		if err != nil {
			r.VADModel.Error = err.Error()
		}
	}

	if b, err := e.EmotionBundle(""); err != nil {
		r.Emotion.Error = err.Error()
	} else {
		m := b.Manifest
		r.Emotion = EmotionCheck{Name: m.Name, Version: m.Version, Architecture: m.Architecture, Precision: m.Precision, Source: b.Dir}
		if b.Dir == "" {
			r.Emotion.Source = "built-in"
		}
		if r.ONNXRuntime.Error != "" {
			// Without onnxruntime the model cannot be loaded, let alone run.
			r.Emotion.Error = "not usable without onnxruntime (above): entries are saved without emotions until it is installed"
		} else {
			p, err := e.Provider()
			if err == nil {
				var cl *emotion.Classifier
				cl, err = emotion.Open(rt, b, emotion.Options{Provider: p})
				if err == nil {
					r.Emotion.Provider = string(cl.Provider())
					cl.Close()
				}
			}
			if err != nil {
				r.Emotion.Error = err.Error()
			}
		}
	}

	if dir, err := e.SpeechModelDir(); err != nil {
		r.Speech.Error = err.Error()
	} else if dir != "" && r.ONNXRuntime.Error != "" {
		r.Speech.Dir = dir
		r.Speech.Error = "not usable without onnxruntime (above): recordings are kept and wait"
	} else if dir != "" {
		r.Speech.Dir = dir
		prov, err := e.Provider()
		if err == nil {
			var m *whisper.Model
			if m, err = whisper.Open(rt, dir, whisper.Options{Provider: prov}); err == nil {
				r.Speech.Languages, r.Speech.Provider = len(m.Languages()), m.Provider()
				m.Close()
			}
		}
		if err != nil {
			r.Speech.Error = err.Error()
		}
	}

	if r.Embedding = e.checkEmbedding(rt); r.Embedding.Source != "built-in" && r.ONNXRuntime.Error != "" && r.Embedding.Error == "" {
		r.Embedding.Error = r.ONNXRuntime.Error
	}

	r.Models = e.checkModels(ctx)

	if inv, err := audio.List(); err != nil {
		r.Audio.Error = err.Error()
	} else {
		r.Audio.Inventory = inv
	}

	// A journal not created yet is fine; everything else is a problem.
	journalOK := r.Journal.Error == "" || r.Journal.Entries == 0 && strings.HasPrefix(r.Journal.Error, "no journal yet")
	r.OK = journalOK && r.ONNXRuntime.Error == "" && r.VADModel.Error == "" && r.Audio.Error == "" && r.Emotion.Error == "" && r.Speech.Error == "" && r.Embedding.Error == ""
	return r
}

func fileDigest(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", fmt.Errorf("read %s: %w", path, err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// WriteText writes the report for a person to read: a line per part,
// ok or FAIL, with what to do about a missing one.
func (r Report) WriteText(w io.Writer) {
	mark := func(errText string) string {
		if errText == "" {
			return "ok  "
		}
		return "FAIL"
	}
	fmt.Fprintf(w, "SAMO %s on %s\n\n", r.SAMO, r.Platform)

	j := r.Journal
	if j.Locked && j.Error == "" {
		fmt.Fprintf(w, "ok    journal      %s (encrypted; give the passphrase to count entries)\n", j.Path)
	} else if j.Error == "" {
		enc := ""
		if j.Encrypted {
			enc = ", encrypted"
		}
		fmt.Fprintf(w, "ok    journal      %s (%d %s%s)\n", j.Path, j.Entries, journal.Plural(j.Entries, "entry", "entries"), enc)
	} else if strings.HasPrefix(j.Error, "no journal yet") {
		fmt.Fprintf(w, "ok    journal      %s (%s)\n", j.Path, j.Error)
	} else {
		fmt.Fprintf(w, "FAIL  journal      %s\n      %s\n", j.Path, j.Error)
	}

	o := r.ONNXRuntime
	if o.Error == "" {
		fmt.Fprintf(w, "%s  onnxruntime  %s (%s)\n", mark(""), o.Version, o.Library)
	} else {
		fmt.Fprintf(w, "FAIL  onnxruntime  %s\n", o.Error)
	}

	m := r.VADModel
	if m.Error == "" {
		var names []string
		for _, in := range m.Inputs {
			names = append(names, in.Name)
		}
		fmt.Fprintf(w, "ok    silero vad   %s (%.1f MB, sha256 %s…, inputs: %s, on %s)\n", m.Path, float64(m.Bytes)/1e6, m.SHA256[:min(12, len(m.SHA256))], strings.Join(names, ", "), m.Provider)
	} else {
		fmt.Fprintf(w, "FAIL  silero vad   %s\n", m.Error)
	}

	e := r.Emotion
	if e.Error == "" {
		fmt.Fprintf(w, "ok    emotions     %s %s (%s, %s, %s, on %s)\n", e.Name, e.Version, e.Architecture, e.Precision, e.Source, e.Provider)
	} else {
		fmt.Fprintf(w, "FAIL  emotions     %s\n", e.Error)
	}

	sp := r.Speech
	switch {
	case sp.Error != "":
		fmt.Fprintf(w, "FAIL  speech       %s\n      %s\n", sp.Dir, sp.Error)
	case sp.Dir == "" && r.Models.Get != "":
		fmt.Fprintf(w, "ok    speech       no speech model installed: recordings are kept and wait (%s downloads one; samo models list shows the others)\n", r.Models.Get)
	case sp.Dir == "":
		fmt.Fprintln(w, "ok    speech       no speech model installed: recordings are kept and wait (samo models install DIR)")
	default:
		kind := "English-only"
		if sp.Languages > 1 {
			kind = fmt.Sprintf("%d languages", sp.Languages)
		}
		fmt.Fprintf(w, "ok    speech       %s (%s, on %s)\n", sp.Dir, kind, sp.Provider)
	}

	em := r.Embedding
	if em.Error == "" {
		on := ""
		if em.Provider != "" {
			on = ", on " + em.Provider
		}
		fmt.Fprintf(w, "ok    meaning      %s %s (%s, %d dimensions%s)\n", em.Name, em.Version, em.Source, em.Dim, on)
	} else {
		fmt.Fprintf(w, "FAIL  meaning      %s\n      %s (samo embeddings use-default goes back to the built-in one)\n", em.Source, em.Error)
	}

	r.Models.writeText(w)

	for _, msg := range r.Warnings {
		fmt.Fprintf(w, "warn  %s\n", msg)
	}

	a := r.Audio
	if a.Error != "" {
		fmt.Fprintf(w, "FAIL  audio        %s\n", a.Error)
	} else {
		fmt.Fprintf(w, "ok    audio        %s\n", a.Version)
		for _, h := range a.HostAPIs {
			fmt.Fprintf(w, "                   %s: %d input %s\n", h.Name, len(h.Devices), journal.Plural(len(h.Devices), "device", "devices"))
			for _, d := range h.Devices {
				def := ""
				if d.DefaultInput {
					def = " (default)"
				}
				fmt.Fprintf(w, "                     - %s, %d ch, %.0f Hz%s\n", d.Name, d.MaxInputChannels, d.DefaultSampleRate, def)
			}
		}
		if len(a.InputDevices()) == 0 {
			fmt.Fprintln(w, "                   no microphone found: typed entries still work")
		}
	}
	if r.OK {
		fmt.Fprintln(w, "\nEverything SAMO needs is here.")
	} else {
		fmt.Fprintln(w, "\nSome parts are missing (above). Typed entries still work.")
	}
}

func (mc ModelsCheck) writeText(w io.Writer) {
	if mc.Error != "" {
		fmt.Fprintf(w, "warn  models       %s\n", mc.Error)
		return
	}
	var names []string
	for _, l := range mc.Installed {
		if l.Source == "built-in" {
			continue
		}
		use := ""
		if l.InUse {
			use = ", in use"
		}
		names = append(names, fmt.Sprintf("%s (%s%s)", l.Name, l.Kind, use))
	}
	if len(names) == 0 {
		names = []string{"only the built-in ones (samo models list shows what can be downloaded)"}
	}
	fmt.Fprintf(w, "ok    models       %s: %s\n", mc.Dir, strings.Join(names, ", "))
	for _, p := range mc.Partial {
		fmt.Fprintf(w, "                   %s: download interrupted (samo models get %s resumes it; samo models remove %s deletes it)\n", p, p, p)
	}
}
