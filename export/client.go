package export

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// maxErrorBody is how much of a refusal's body is read for its message.
const maxErrorBody = 64 << 10

// client sends authenticated GETs and retries what the service could not
// answer now. It never writes a token anywhere: the Authorization header is
// set on the request and nowhere else.
type client struct {
	http      *http.Client
	cred      azcore.TokenCredential
	retry     RetryPolicy
	userAgent string
	logf      func(format string, args ...any)
}

// HTTPError is a request the service refused or kept failing.
type HTTPError struct {
	Status   int
	URL      string
	Code     string // the service's error code, when it gave one
	Message  string // the service's error message, when it gave one
	Attempts int
}

func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("GET %s: HTTP %d %s", e.URL, e.Status, http.StatusText(e.Status))
	if e.Attempts > 1 {
		msg += fmt.Sprintf(" after %d attempts", e.Attempts)
	}
	switch {
	case e.Code != "" && e.Message != "":
		msg += fmt.Sprintf(": %s: %s", e.Code, e.Message)
	case e.Message != "":
		msg += ": " + e.Message
	}
	return msg
}

// get fetches url with a bearer token for scope and returns the body of a
// 200 answer. what names the request in retry messages.
func (c *client) get(ctx context.Context, url, scope, what string, header http.Header) ([]byte, error) {
	for attempt := 1; ; attempt++ {
		body, again, err := c.try(ctx, url, scope, header)
		if err == nil {
			return body, nil
		}
		// Only this request's own answer: a wrapped error may be another
		// table's (a cancelled context carries the failure that caused it).
		if he, ok := err.(*HTTPError); ok {
			he.Attempts = attempt
		}
		if !again.ok || attempt >= c.retry.MaxAttempts {
			return nil, err
		}
		wait := c.retry.backoff(attempt)
		if again.told {
			wait = again.after
		}
		if wait > c.retry.MaxRetryAfter {
			return nil, fmt.Errorf("%w; the service asked to wait %s, longer than the %s this export waits", err,
				wait, c.retry.MaxRetryAfter)
		}
		c.logf("%s: %s; retry %d of %d in %s", what, shortReason(err), attempt, c.retry.MaxAttempts-1, wait.Round(time.Millisecond))
		if err := c.retry.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// again says whether a failed request may succeed when sent again, and
// when the service said to send it (Retry-After).
type again struct {
	ok    bool
	told  bool
	after time.Duration
}

// try sends one request.
func (c *client) try(ctx context.Context, url, scope string, header http.Header) ([]byte, again, error) {
	tok, err := c.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{scope}})
	if err != nil {
		return nil, again{}, &AuthError{Scope: scope, Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, again{}, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	resp, err := c.noTokenAcrossOrigins().Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, again{}, ctx.Err()
		}
		// A dropped connection or a timeout: the service may answer next time.
		return nil, again{ok: true}, fmt.Errorf("GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		body, err := io.ReadAll(resp.Body)
		if ctx.Err() != nil {
			return nil, again{}, ctx.Err()
		}
		if err != nil {
			return nil, again{ok: true}, fmt.Errorf("GET %s: reading the answer: %w", url, err)
		}
		return body, again{}, nil
	}
	he := &HTTPError{Status: resp.StatusCode, URL: url}
	he.Code, he.Message = serviceError(resp.Body)
	if !retryable(resp.StatusCode) {
		return nil, again{}, he
	}
	d, told := c.retry.retryAfter(resp.Header)
	return nil, again{ok: true, told: told, after: d}, he
}

// noTokenAcrossOrigins is the caller's client (left as it is: it may be
// shared) with one more redirect rule: Authorization follows a redirect
// only to the origin (scheme, host and port) of the first request, the one
// the token was issued for. net/http alone keeps it on a redirect to
// another port of the same host, to a subdomain, and from https to http.
func (c *client) noTokenAcrossOrigins() *http.Client {
	hc := *c.http
	theirs := c.http.CheckRedirect
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if origin(req.URL) != origin(via[0].URL) {
			req.Header.Del("Authorization")
		}
		if theirs != nil {
			return theirs(req, via)
		}
		if len(via) >= 10 { // net/http's own limit
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &hc
}

// origin is a URL's scheme, host and port, the port made explicit so that
// https://x and https://x:443 are one origin.
func origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// sameOrigin says whether link has the origin of root; a URL that cannot
// be read has none.
func sameOrigin(link, root string) bool {
	a, err1 := url.Parse(link)
	b, err2 := url.Parse(root)
	return err1 == nil && err2 == nil && a.Host != "" && origin(a) == origin(b)
}

// serviceError reads the {"error": {"code", "message"}} body that Dataverse
// and Graph both send with a refusal.
func serviceError(r io.Reader) (code, message string) {
	b, _ := io.ReadAll(io.LimitReader(r, maxErrorBody))
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(b, &e) == nil {
		return e.Error.Code, e.Error.Message
	}
	return "", ""
}

func shortReason(err error) string {
	var he *HTTPError
	if errors.As(err, &he) {
		return fmt.Sprintf("HTTP %d %s", he.Status, http.StatusText(he.Status))
	}
	return err.Error()
}
