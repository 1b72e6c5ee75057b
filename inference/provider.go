package inference

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	ort "github.com/yalue/onnxruntime_go"
)

// Provider is an onnxruntime execution provider: where a model runs.
type Provider string

// The providers SAMO can ask for. Auto takes the platform's accelerator
// when this onnxruntime has it (CUDA on Linux and Windows, DirectML on
// Windows, Core ML on macOS) and the CPU otherwise.
const (
	ProviderAuto     Provider = "auto"
	ProviderCPU      Provider = "cpu"
	ProviderCUDA     Provider = "cuda"
	ProviderCoreML   Provider = "coreml"
	ProviderDirectML Provider = "directml"
)

// Providers lists the names ParseProvider accepts.
var Providers = []Provider{ProviderAuto, ProviderCPU, ProviderCUDA, ProviderCoreML, ProviderDirectML}

// ParseProvider reads a provider name; "" is Auto.
func ParseProvider(s string) (Provider, error) {
	p := Provider(strings.ToLower(strings.TrimSpace(s)))
	if p == "" {
		return ProviderAuto, nil
	}
	for _, q := range Providers {
		if p == q {
			return p, nil
		}
	}
	names := make([]string, len(Providers))
	for i, q := range Providers {
		names[i] = string(q)
	}
	return "", fmt.Errorf("inference: unknown execution provider %q (one of %s)", s, strings.Join(names, ", "))
}

// SessionOptions are onnxruntime session options for a model, and the
// provider it will actually run on.
type SessionOptions struct {
	*ort.SessionOptions
	Provider Provider
}

// NewSessionOptions makes session options with threads intra-op threads
// (0: 2) on provider p. A provider asked for by name that this machine or
// this onnxruntime lacks falls back to the CPU, with one warning per
// provider for the Runtime's life (see OnWarning); Auto falls back
// quietly. The caller destroys the options after creating its session.
func (r *Runtime) NewSessionOptions(p Provider, threads int) (*SessionOptions, error) {
	if err := r.Init(); err != nil {
		return nil, err
	}
	if threads <= 0 {
		threads = 2
	}
	so, err := ort.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("inference: session options: %w", err)
	}
	if err := so.SetIntraOpNumThreads(threads); err != nil {
		so.Destroy()
		return nil, fmt.Errorf("inference: set %d threads: %w", threads, err)
	}
	if err := so.SetInterOpNumThreads(1); err != nil {
		so.Destroy()
		return nil, fmt.Errorf("inference: set inter-op threads: %w", err)
	}
	out := &SessionOptions{SessionOptions: so, Provider: ProviderCPU}
	var try []Provider
	switch p {
	case ProviderAuto, "":
		try = autoProviders()
	case ProviderCPU:
	default:
		try = []Provider{p}
	}
	for _, q := range try {
		err := r.appendProvider(so, q)
		if err == nil {
			out.Provider = q
			return out, nil
		}
		if p == q {
			r.warnOnce(q, fmt.Sprintf("the %s execution provider is not available (%v); running on the CPU instead", q, firstLine(err)))
		}
	}
	return out, nil
}

// autoProviders are the accelerators Auto tries, in order, on this platform.
func autoProviders() []Provider {
	switch runtime.GOOS {
	case "darwin":
		return []Provider{ProviderCoreML}
	case "windows":
		return []Provider{ProviderCUDA, ProviderDirectML}
	}
	return []Provider{ProviderCUDA}
}

// appendProvider adds provider p to so. A provider that failed once is not
// tried again, and CUDA is only tried when its provider library sits beside
// onnxruntime's (else onnxruntime logs a failed load on every try).
func (r *Runtime) appendProvider(so *ort.SessionOptions, p Provider) error {
	r.mu.Lock()
	err := r.unavailable[p]
	r.mu.Unlock()
	if err != nil {
		return err
	}
	err = addProvider(so, p, r.path)
	if err != nil {
		r.mu.Lock()
		if r.unavailable == nil {
			r.unavailable = map[Provider]error{}
		}
		r.unavailable[p] = err
		r.mu.Unlock()
	}
	return err
}

func addProvider(so *ort.SessionOptions, p Provider, lib string) error {
	switch p {
	case ProviderCUDA:
		cuda := filepath.Join(filepath.Dir(lib), cudaProviderLibrary())
		if _, err := os.Stat(cuda); err != nil {
			return fmt.Errorf("this onnxruntime has no CUDA support: %s is missing", cuda)
		}
		co, err := ort.NewCUDAProviderOptions()
		if err != nil {
			return err
		}
		defer co.Destroy()
		return so.AppendExecutionProviderCUDA(co)
	case ProviderCoreML:
		return so.AppendExecutionProviderCoreML(0)
	case ProviderDirectML:
		return so.AppendExecutionProviderDirectML(0)
	}
	return fmt.Errorf("inference: no execution provider %q", p)
}

// OnWarning sets where the Runtime reports problems that do not stop it,
// such as a provider falling back to the CPU; the default is slog's
// default logger.
func (r *Runtime) OnWarning(f func(msg string)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.warn = f
}

func (r *Runtime) warnOnce(p Provider, msg string) {
	r.mu.Lock()
	if r.warned == nil {
		r.warned = map[Provider]bool{}
	}
	if r.warned[p] {
		r.mu.Unlock()
		return
	}
	r.warned[p] = true
	f := r.warn
	r.mu.Unlock()
	if f == nil {
		slog.Warn(msg)
		return
	}
	f(msg)
}

// cudaProviderLibrary is the name of onnxruntime's CUDA provider library.
func cudaProviderLibrary() string {
	if runtime.GOOS == "windows" {
		return "onnxruntime_providers_cuda.dll"
	}
	return "libonnxruntime_providers_cuda.so"
}

func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// CreateSession calls create with session options for provider p, and
// returns the provider the session runs on. A provider can attach and
// still fail when the session is made (its library is present but no
// usable device is): then create is tried again on the CPU, and if that
// works the provider is marked unavailable, with one warning. An error
// the CPU gives too (a damaged model) is returned as it is.
func (r *Runtime) CreateSession(p Provider, threads int, create func(*ort.SessionOptions) error) (Provider, error) {
	so, err := r.NewSessionOptions(p, threads)
	if err != nil {
		return "", err
	}
	got := so.Provider
	err = create(so.SessionOptions)
	so.Destroy()
	if err == nil {
		return got, nil
	}
	if got == ProviderCPU {
		return "", err
	}
	cpu, cerr := r.NewSessionOptions(ProviderCPU, threads)
	if cerr != nil {
		return "", cerr
	}
	defer cpu.Destroy()
	if cerr := create(cpu.SessionOptions); cerr != nil {
		return "", cerr
	}
	r.mu.Lock()
	if r.unavailable == nil {
		r.unavailable = map[Provider]error{}
	}
	r.unavailable[got] = err
	r.mu.Unlock()
	r.warnOnce(got, fmt.Sprintf("the %s execution provider could not run the model (%v); running on the CPU instead", got, firstLine(err)))
	return ProviderCPU, nil
}
