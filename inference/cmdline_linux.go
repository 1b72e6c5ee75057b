package inference

import (
	"fmt"
	"os"
	"syscall"
)

// checkCommandLine refuses, before onnxruntime starts, a command line
// longer than its environment can take. On Linux, creating the
// environment reads /proc/self/cmdline and matches it with a recursive
// regular expression whose stack use grows with its length: with the usual
// 8 MiB stack a command line of about 29 KB overflows it and the process
// dies. The limit kept here is a 512th of the stack, 16 KiB for 8 MiB.
func checkCommandLine() error {
	cmdline, err := os.ReadFile("/proc/self/cmdline")
	if err != nil {
		return nil // nothing to measure: nothing for onnxruntime to read either
	}
	stack := uint64(8 << 20)
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_STACK, &lim); err == nil && lim.Cur != ^uint64(0) && lim.Cur > 0 {
		stack = lim.Cur
	}
	if max := stack / 512; uint64(len(cmdline)) > max {
		return fmt.Errorf("%w: it is %d bytes, and onnxruntime takes about %d with this stack size; give long text on standard input instead",
			ErrCommandLineTooLong, len(cmdline), max)
	}
	return nil
}
