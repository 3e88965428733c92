package export

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryPolicy says how a request that the service could not answer now is
// retried: 429 (Dataverse service protection, Graph throttling), 500, 502,
// 503, 504 and connection errors. Everything else is answered at once.
type RetryPolicy struct {
	// MaxAttempts counts the first try; default 8.
	MaxAttempts int
	// BaseDelay is the first backoff without a Retry-After; it doubles per
	// attempt up to MaxDelay, and each wait is jittered to 50-100% of it so
	// parallel workers do not retry in step. Defaults 2 s and 60 s.
	BaseDelay, MaxDelay time.Duration
	// MaxRetryAfter is the longest Retry-After honoured; a service asking
	// for more fails the request rather than stalling a scheduled run
	// silently. Default 10 minutes.
	MaxRetryAfter time.Duration
	// Sleep waits d or until ctx ends; tests replace it so they never wait.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock a Retry-After HTTP date is read against.
	Now func() time.Time
	// Jitter returns a number in [0, 1); default math/rand.
	Jitter func() float64
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 8
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = 2 * time.Second
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 60 * time.Second
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = 10 * time.Minute
	}
	if p.Sleep == nil {
		p.Sleep = sleep
	}
	if p.Now == nil {
		p.Now = time.Now
	}
	if p.Jitter == nil {
		p.Jitter = rand.Float64
	}
	return p
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// retryable says whether a status may succeed when asked again.
func retryable(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// backoff is the wait before attempt+1 when the service gave no Retry-After.
func (p RetryPolicy) backoff(attempt int) time.Duration {
	d := p.BaseDelay << (attempt - 1)
	if d > p.MaxDelay || d <= 0 {
		d = p.MaxDelay
	}
	return time.Duration(float64(d) * (0.5 + p.Jitter()/2))
}

// retryAfter reads a Retry-After header: delay seconds or an HTTP date.
// ok is false when there is none or it cannot be read.
func (p RetryPolicy) retryAfter(h http.Header) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(p.Now())
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}
