package inference

import (
	"errors"
	"fmt"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// Runtime is the process's onnxruntime environment. onnxruntime allows one
// environment per process, so main creates one Runtime and hands it to every
// model; it initializes the library on first use and is closed by its owner.
// A Runtime whose library is missing still lets SAMO start: only the calls
// that need a model fail, with an error that says where it looked.
type Runtime struct {
	loc Locator

	once    sync.Once
	path    string
	version string
	err     error

	mu     sync.Mutex
	warn   func(string)
	warned map[Provider]bool
	// unavailable holds the providers that failed, and why.
	unavailable map[Provider]error
}

// ErrCommandLineTooLong is returned by Init when the process's command line
// is too long for onnxruntime to start safely (see checkCommandLine).
var ErrCommandLineTooLong = errors.New("inference: the command line is too long for onnxruntime")

// NewRuntime returns a Runtime that will look for the library with loc.
// Nothing is loaded until Init.
func NewRuntime(loc Locator) *Runtime { return &Runtime{loc: loc} }

// Init finds and initializes the onnxruntime library, once; later calls
// return the first call's result.
func (r *Runtime) Init() error {
	r.once.Do(func() {
		path, err := r.loc.FindLibrary()
		if err != nil {
			r.err = err
			return
		}
		r.path = path
		if err := checkCommandLine(); err != nil {
			r.err = err
			return
		}
		ort.SetSharedLibraryPath(path)
		if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
			r.err = fmt.Errorf("inference: initialize onnxruntime from %s: %w", path, err)
			return
		}
		r.version = ort.GetVersion()
	})
	return r.err
}

// LibraryPath returns the library path Init found, or "" before Init or when
// it was not found.
func (r *Runtime) LibraryPath() string { r.Init(); return r.path }

// Version returns the onnxruntime version, initializing the runtime if needed.
func (r *Runtime) Version() (string, error) {
	if err := r.Init(); err != nil {
		return "", err
	}
	return r.version, nil
}

// Close releases the onnxruntime environment if Init created it.
func (r *Runtime) Close() error {
	if r.version == "" {
		return nil
	}
	if err := ort.DestroyEnvironment(); err != nil {
		return fmt.Errorf("inference: close onnxruntime: %w", err)
	}
	r.version = ""
	return nil
}

// TensorInfo describes one input or output of a model.
type TensorInfo struct {
	Name  string  `json:"name"`
	Type  string  `json:"type"`
	Shape []int64 `json:"shape"`
}

// ModelInfo describes a model file as onnxruntime loaded it.
type ModelInfo struct {
	Path    string       `json:"path"`
	Inputs  []TensorInfo `json:"inputs"`
	Outputs []TensorInfo `json:"outputs"`
}

// Inspect loads the model at path in onnxruntime and returns its inputs and
// outputs. A missing or corrupt file is an error naming the file.
func (r *Runtime) Inspect(path string) (ModelInfo, error) {
	if err := r.Init(); err != nil {
		return ModelInfo{}, err
	}
	in, out, err := ort.GetInputOutputInfo(path)
	if err != nil {
		return ModelInfo{}, fmt.Errorf("inference: load model %s: %w", path, err)
	}
	conv := func(infos []ort.InputOutputInfo) []TensorInfo {
		ts := make([]TensorInfo, len(infos))
		for i, x := range infos {
			ts[i] = TensorInfo{Name: x.Name, Type: x.DataType.String(), Shape: x.Dimensions}
		}
		return ts
	}
	return ModelInfo{Path: path, Inputs: conv(in), Outputs: conv(out)}, nil
}
