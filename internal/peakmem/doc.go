// Package peakmem reads the process's peak memory (peak resident set size,
// or peak working set on Windows) in MB, the same way on every OS the tool
// builds for: Linux reports KiB, macOS bytes, Windows asks psapi. MB is 0
// where the OS does not say.
package peakmem
