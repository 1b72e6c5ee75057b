package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/samojournal/samo/inference/embed"
	"github.com/samojournal/samo/inference/emotion"
	"github.com/samojournal/samo/inference/models"
	"github.com/samojournal/samo/inference/whisper"
	"github.com/samojournal/samo/journal"
)

// EnvModelEndpoint replaces the server models are downloaded from (a
// mirror, or an offline cache), as HF_ENDPOINT does for Hugging Face's
// own tools.
const EnvModelEndpoint = "SAMO_MODEL_ENDPOINT"

// The built-in models, as the model manager lists them.
const (
	BuiltInEmotion   = "built-in-emotions"
	BuiltInEmbedding = "built-in-meaning"
)

// UserCatalogFile is the catalog file in the journal folder whose models
// are added to the built-in catalog's.
const UserCatalogFile = "model-catalog.json"

var _ journal.ModelManager = (*Engine)(nil)

// manager returns the model manager over the models folder.
func (e *Engine) manager() (*models.Manager, error) {
	if e.cfg.ModelsDir == "" {
		return nil, errors.New("engine: no models folder")
	}
	c, err := models.BuiltInCatalog()
	if err != nil {
		return nil, err
	}
	if e.cfg.CatalogFile != "" {
		user, err := models.ReadCatalogFile(e.cfg.CatalogFile)
		if err != nil {
			return nil, err
		}
		c = c.Merge(user)
	}
	return models.NewManager(e.cfg.ModelsDir, c, os.Getenv(EnvModelEndpoint)), nil
}

// ListModels implements journal.ModelManager: the built-in models, the
// catalog's (installed or not), and a model installed from a folder by
// hand when it is in use.
func (e *Engine) ListModels(ctx context.Context) ([]journal.ModelListing, error) {
	mgr, err := e.manager()
	if err != nil {
		return nil, err
	}
	c, err := e.choose()
	if err != nil {
		return nil, err
	}
	inUse := map[string]string{journal.ModelSpeech: c.speechDir, journal.ModelEmotion: c.emotionDir, journal.ModelEmbedding: c.embedDir}
	out := []journal.ModelListing{
		{Name: BuiltInEmotion, Kind: journal.ModelEmotion, Title: "SAMO's own emotion model", Source: "built-in", Installed: true, InUse: c.emotionDir == "",
			Description: "Trained by SAMO on GoEmotions; small and quick, built into the program."},
		{Name: BuiltInEmbedding, Kind: journal.ModelEmbedding, Title: "GloVe word vectors with BM25", Source: "built-in", Installed: true, InUse: c.embedDir == "",
			Description: "Memory Lane's built-in search by meaning, from GloVe word vectors; no download."},
	}
	list, err := mgr.List()
	if err != nil {
		return nil, err
	}
	managed := map[string]bool{}
	for _, l := range list {
		item := listing(l)
		item.InUse = l.Installed && sameDir(inUse[l.Kind], l.Folder)
		managed[l.Folder] = true
		out = append(out, item)
	}
	for _, kind := range []string{journal.ModelSpeech, journal.ModelEmotion, journal.ModelEmbedding} {
		if dir := inUse[kind]; dir != "" && !managed[filepath.Clean(dir)] {
			out = append(out, journal.ModelListing{Name: filepath.Base(filepath.Clean(dir)), Kind: kind, Title: "Installed from a folder",
				Source: "folder", Installed: true, InUse: true, Folder: dir})
		}
	}
	return out, nil
}

func sameDir(a, b string) bool { return a != "" && b != "" && filepath.Clean(a) == filepath.Clean(b) }

// listing is a manager's listing as the journal shows it.
func listing(l models.Listing) journal.ModelListing {
	out := journal.ModelListing{Name: l.Name, Kind: l.Kind, Title: l.Title, Description: l.Description, Size: l.Size(),
		Quantized: l.Quantized, Source: "catalog", Installed: l.Installed, Partial: l.Partial}
	if l.Installed {
		out.Folder = l.Folder
	}
	return out
}

// GetModel implements journal.ModelManager: the download is checked by
// opening the model and running it on a text or a second of silence in
// its download folder; only then is it moved into place and used.
func (e *Engine) GetModel(ctx context.Context, name string, progress func(journal.DownloadProgress)) (journal.ModelInfo, error) {
	mgr, err := e.manager()
	if err != nil {
		return journal.ModelInfo{}, err
	}
	cm, ok := mgr.Catalog.Find(name)
	if !ok {
		return journal.ModelInfo{}, fmt.Errorf("%w: %q (samo models list shows them)", models.ErrUnknownModel, name)
	}
	dir, err := mgr.Get(ctx, name, progress, func(dir string) error { return e.checkModel(ctx, cm.Kind, dir, cm.Quantized) })
	if err != nil {
		return journal.ModelInfo{}, err
	}
	return e.use(ctx, cm.Kind, dir, cm.Quantized)
}

// checkModel opens the model of kind in dir and runs it once (on a second
// of silence, or a sentence), then closes it: it does not become the one
// in use.
func (e *Engine) checkModel(ctx context.Context, kind, dir string, quantized bool) error {
	if e.isClosed() {
		return ErrClosed
	}
	prov, err := e.Provider()
	if err != nil {
		return err
	}
	switch kind {
	case journal.ModelSpeech:
		m, err := whisper.Open(e.Runtime(), dir, whisper.Options{Provider: prov})
		if err != nil {
			return err
		}
		defer m.Close()
		_, err = m.Transcribe(ctx, make([]float32, whisper.SampleRate), nil, nil)
		return err
	case journal.ModelEmotion:
		if err := writeEmotionManifest(dir, quantized); err != nil {
			return err
		}
		b, err := openBundle(dir)
		if err != nil {
			return err
		}
		cl, err := emotion.Open(e.Runtime(), b, emotion.Options{Provider: prov})
		if err != nil {
			return err
		}
		defer cl.Close()
		_, err = cl.Analyze([]string{"Thank you, this is a test of the model."})
		return err
	case journal.ModelEmbedding:
		m, err := embed.Open(e.Runtime(), dir, embed.WithProvider(prov), embed.WithQuantized(quantized))
		if err != nil {
			return err
		}
		defer m.Close()
		_, err = m.Embed(ctx, []string{"A first test of the model."})
		return err
	}
	return fmt.Errorf("engine: unknown model kind %q", kind)
}

// writeEmotionManifest describes a Hugging Face emotion export in dir
// with a manifest, unless it has one.
func writeEmotionManifest(dir string, quantized bool) error {
	if _, err := os.Stat(filepath.Join(dir, models.ManifestFile)); err == nil {
		return nil
	}
	m, err := emotion.ManifestFromHF(dir, quantized)
	if err != nil {
		return err
	}
	return models.Write(dir, m)
}

// use makes the model of kind in dir the one in use (checking it again,
// as every install does).
func (e *Engine) use(ctx context.Context, kind, dir string, quantized bool) (journal.ModelInfo, error) {
	switch kind {
	case journal.ModelSpeech:
		precision := ""
		if quantized {
			precision = "int8"
		}
		return e.installSpeech(dir, precision)
	case journal.ModelEmotion:
		return e.InstallEmotionModel(ctx, dir, quantized)
	case journal.ModelEmbedding:
		return e.InstallEmbeddingModel(ctx, dir, quantized)
	}
	return journal.ModelInfo{}, fmt.Errorf("engine: unknown model kind %q", kind)
}

// InstallModel implements journal.ModelManager: a folder installed by
// hand, used where it is (kind "" is found from its files).
func (e *Engine) InstallModel(ctx context.Context, dir, kind string, quantized bool) (journal.ModelInfo, error) {
	if kind == "" {
		var err error
		if kind, err = DetectKind(dir); err != nil {
			return journal.ModelInfo{}, err
		}
	}
	return e.use(ctx, kind, dir, quantized)
}

// DetectKind says what kind of model a folder holds, from its files.
func DetectKind(dir string) (string, error) {
	has := func(names ...string) bool {
		for _, n := range names {
			for _, d := range []string{dir, filepath.Join(dir, "onnx")} {
				if _, err := os.Stat(filepath.Join(d, n)); err == nil {
					return true
				}
			}
		}
		return false
	}
	st, err := os.Stat(dir)
	if err != nil {
		return "", fmt.Errorf("engine: model folder: %w", err)
	}
	if !st.IsDir() {
		return "", fmt.Errorf("engine: model folder %s is not a folder", dir)
	}
	switch {
	case has("encoder_model.onnx", "encoder_model_quantized.onnx", "encoder_model_int8.onnx"):
		return journal.ModelSpeech, nil
	case has(models.ManifestFile):
		b, err := models.Open(dir)
		if err != nil {
			return "", err
		}
		if b.Manifest.Task == "emotion" {
			return journal.ModelEmotion, nil
		}
		return "", fmt.Errorf("engine: %s holds a %q model, which install does not take", dir, b.Manifest.Task)
	case has("sentence_bert_config.json", "modules.json", "1_Pooling/config.json"):
		return journal.ModelEmbedding, nil
	case has("config.json"):
		if _, err := emotion.ManifestFromHF(dir, false); err == nil {
			return journal.ModelEmotion, nil
		} else if _, qerr := emotion.ManifestFromHF(dir, true); qerr == nil {
			return journal.ModelEmotion, nil
		}
		return journal.ModelEmbedding, nil
	}
	return "", fmt.Errorf("engine: %s holds no model SAMO knows (a Whisper export, a GoEmotions classifier or a sentence-embedding export); name its kind with --kind", dir)
}

// VerifyModel implements journal.ModelManager: an installed catalog
// model's files against their digests, then that it opens and runs; a
// built-in model or one installed from a folder, that it opens and runs.
func (e *Engine) VerifyModel(ctx context.Context, name string) (journal.ModelListing, error) {
	all, err := e.ListModels(ctx)
	if err != nil {
		return journal.ModelListing{}, err
	}
	i := slices.IndexFunc(all, func(l journal.ModelListing) bool { return l.Name == name && l.Installed })
	if i < 0 {
		return journal.ModelListing{}, fmt.Errorf("%w: %s (samo models list shows what is)", models.ErrNotInstalled, name)
	}
	l := all[i]
	switch l.Source {
	case "built-in":
		if l.Kind == journal.ModelEmotion {
			_, err = e.Classifier("", emotion.Options{})
			if err == nil && e.cfg.EmotionModel == "" && os.Getenv(EnvEmotionModel) == "" {
				_, err = e.EmotionBundle("")
			}
		} else {
			_, err = e.gloveModel()
		}
		return l, err
	case "catalog":
		mgr, merr := e.manager()
		if merr != nil {
			return l, merr
		}
		rec, err := mgr.Verify(name)
		for _, f := range rec.Model.Files {
			l.Files = append(l.Files, journal.ModelFile{Path: f.Path, Size: f.Size, SHA256: f.SHA256, Recorded: slices.Contains(rec.Recorded, f.Path)})
		}
		if err != nil {
			return l, err
		}
	}
	if err := e.checkModel(ctx, l.Kind, l.Folder, l.Quantized); err != nil {
		return l, fmt.Errorf("model %s is whole but does not work: %w", name, err)
	}
	return l, nil
}

// RemoveModel implements journal.ModelManager: a model in use is first
// replaced by the built-in one of its kind (for speech, by none).
func (e *Engine) RemoveModel(ctx context.Context, name string) error {
	if name == BuiltInEmotion || name == BuiltInEmbedding {
		return fmt.Errorf("engine: %s is built into SAMO and cannot be removed", name)
	}
	mgr, err := e.manager()
	if err != nil {
		return err
	}
	c, err := e.choose()
	if err != nil {
		return err
	}
	if kind := kindOf(c, mgr.Folder(name)); kind != "" {
		if err := e.update(func(s *journal.Settings) { clearKind(s, kind) }); err != nil {
			return err
		}
	}
	return mgr.Remove(ctx, name)
}

// kindOf is the kind whose model in use is in folder, or "".
func kindOf(c choice, folder string) string {
	switch {
	case sameDir(c.speechDir, folder):
		return journal.ModelSpeech
	case sameDir(c.emotionDir, folder):
		return journal.ModelEmotion
	case sameDir(c.embedDir, folder):
		return journal.ModelEmbedding
	}
	return ""
}

func clearKind(s *journal.Settings, kind string) {
	switch kind {
	case journal.ModelSpeech:
		s.SpeechModel = ""
	case journal.ModelEmotion:
		s.EmotionModel = ""
	case journal.ModelEmbedding:
		s.EmbeddingModel = ""
	}
}

// UseModel implements journal.ModelManager.
func (e *Engine) UseModel(ctx context.Context, name string) (journal.ModelInfo, error) {
	switch name {
	case BuiltInEmotion:
		if err := e.UseBuiltInEmotionModel(); err != nil {
			return journal.ModelInfo{}, err
		}
		return e.EmotionModel(ctx)
	case BuiltInEmbedding:
		if err := e.UseBuiltInEmbeddingModel(); err != nil {
			return journal.ModelInfo{}, err
		}
		return e.EmbeddingModel(ctx)
	}
	mgr, err := e.manager()
	if err != nil {
		return journal.ModelInfo{}, err
	}
	rec, err := mgr.Verify(name)
	if err != nil {
		return journal.ModelInfo{}, fmt.Errorf("%w (samo models get %s downloads it again)", err, name)
	}
	return e.use(ctx, rec.Model.Kind, mgr.Folder(name), rec.Model.Quantized)
}
