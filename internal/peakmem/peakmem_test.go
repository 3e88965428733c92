package peakmem

import (
	"runtime"
	"testing"
)

// A running Go process has a peak of at least a megabyte and, in a test
// binary, less than a few gigabytes; a wrong unit (KiB read as bytes, or
// the reverse) lands far outside.
func TestMBIsPlausible(t *testing.T) {
	switch runtime.GOOS {
	case "linux", "darwin", "windows":
	default:
		t.Skipf("no peak memory on %s", runtime.GOOS)
	}
	buf := make([]byte, 64<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	mb := MB()
	if mb < 64 || mb > 8<<10 {
		t.Errorf("peak memory %.1f MB after touching 64 MB; want 64 MB to 8 GB", mb)
	}
	runtime.KeepAlive(buf)
}
