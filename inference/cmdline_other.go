//go:build !linux

package inference

// checkCommandLine has nothing to check where onnxruntime does not read
// the command line.
func checkCommandLine() error { return nil }
