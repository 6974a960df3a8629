package server

import (
	"crypto/rand"
	"net"
	"net/http"
	"reflect"
	"time"

	"coterforum/metrics"

	"github.com/labstack/echo/v4"
)

// requestIDHeader carries the request id, in the response always, and in
// the request when a trusted reverse proxy set it.
const requestIDHeader = "X-Request-Id"

// ctxRequestID is the Echo context key of the request id.
const ctxRequestID = "request_id"

// requestID returns the id of the request (for log lines).
func requestID(c echo.Context) string {
	id, _ := c.Get(ctxRequestID).(string)
	return id
}

// observe is the outermost middleware: it gives the request an id (echoed
// in X-Request-Id), has its error answered at once so the final status is
// known, then records the request's duration by route pattern and writes
// one access-log line. Both name the route pattern (c.Path()), never the
// raw URL: paths and query strings may carry tokens (invitations,
// unsubscribe links), and patterns keep the metrics' labels bounded. No
// cookie, header value or client address is logged.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		id := s.incomingRequestID(c.Request())
		if id == "" {
			id = rand.Text()
		}
		c.Set(ctxRequestID, id)
		c.Response().Header().Set(requestIDHeader, id)
		if err := next(c); err != nil {
			c.Error(err) // the error handler answers now: the status is final
		}
		d := time.Since(start)
		route := c.Path()
		if !s.routeSet[route] || isNotFound(c.Handler()) {
			route = metrics.UnmatchedRoute
		}
		res := c.Response()
		s.cfg.Metrics.ObserveRequest(route, c.Request().Method, res.Status, d)
		s.cfg.Log.Info("request", "method", c.Request().Method, "route", route, "status", res.Status,
			"duration", d, "bytes", res.Size, "request_id", id)
		return nil
	}
}

// incomingRequestID returns the X-Request-Id a trusted reverse proxy set,
// when it is short and made of safe characters; "" otherwise.
func (s *Server) incomingRequestID(r *http.Request) string {
	v := r.Header.Get(requestIDHeader)
	if v == "" || len(v) > 64 || len(s.cfg.TrustedProxies) == 0 {
		return ""
	}
	for i := 0; i < len(v); i++ {
		b := v[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-' || b == '_' || b == '.') {
			return ""
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return ""
	}
	for _, n := range s.cfg.TrustedProxies {
		if n.Contains(ip) {
			return v
		}
	}
	return ""
}

// registeredRoutes is the set of route patterns, to tell a route from the
// path Echo reports for a request that matched none.
func registeredRoutes(e *echo.Echo) map[string]bool {
	set := map[string]bool{}
	for _, r := range e.Routes() {
		set[r.Path] = true
	}
	return set
}

// notFoundPtr identifies Echo's handler of requests that matched no route
// (c.Path() is then the nearest node's path, which may be a route's).
var notFoundPtr = reflect.ValueOf(echo.NotFoundHandler).Pointer()

func isNotFound(h echo.HandlerFunc) bool {
	return h == nil || reflect.ValueOf(h).Pointer() == notFoundPtr
}
