package tenant

import "testing"

// differing counts cells held by one profile only, or at another depth.
func TestDiffering(t *testing.T) {
	key := func(cell uint64, rank uint8) uint64 { return cell<<8 | uint64(rank) }
	cases := []struct {
		a, b []uint64
		want int64
	}{
		{nil, nil, 0},
		{[]uint64{key(1, 4)}, []uint64{key(1, 4)}, 0},
		{[]uint64{key(1, 4)}, []uint64{key(1, 1)}, 1},                                             // another depth
		{[]uint64{key(1, 4), key(3, 2)}, []uint64{key(2, 4)}, 3},                                  // each held by one only
		{[]uint64{key(1, 1), key(2, 2), key(5, 3)}, []uint64{key(2, 2), key(5, 4), key(9, 0)}, 3}, // 1 only, 5 deeper, 9 only
	}
	for _, c := range cases {
		if got := differing(c.a, c.b); got != c.want {
			t.Errorf("differing(%v, %v) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := differing(c.b, c.a); got != c.want {
			t.Errorf("differing is not symmetric on %v, %v: %d", c.a, c.b, got)
		}
	}
}
