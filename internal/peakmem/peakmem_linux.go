package peakmem

import "syscall"

// MB is the process's peak resident set size; Linux reports KiB.
func MB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024
}
