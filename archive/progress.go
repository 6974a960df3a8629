package archive

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Progress shows one line per collection: rewritten in place on a terminal
// while the collection is copied, written once when it is done elsewhere;
// nothing when quiet.
type Progress struct {
	W     io.Writer
	TTY   bool
	Quiet bool
	last  time.Time
}

// Update shows a collection under way (on a terminal, at most ten times a
// second).
func (p *Progress) Update(name string, done, total int64, elapsed time.Duration) {
	if p == nil || p.Quiet || !p.TTY || p.W == nil {
		return
	}
	if now := time.Now(); now.Sub(p.last) >= 100*time.Millisecond {
		p.last = now
		fmt.Fprintf(p.W, "\r\033[K%s", progressLine(name, done, total, elapsed))
	}
}

// Done ends a collection's line.
func (p *Progress) Done(name string, done, total int64, elapsed time.Duration) {
	if p == nil || p.Quiet || p.W == nil {
		return
	}
	prefix := ""
	if p.TTY {
		prefix = "\r\033[K"
	}
	fmt.Fprintf(p.W, "%s%s\n", prefix, progressLine(name, done, total, elapsed))
}

// Printf writes a line unless quiet.
func (p *Progress) Printf(format string, args ...any) {
	if p == nil || p.Quiet || p.W == nil {
		return
	}
	fmt.Fprintf(p.W, format, args...)
}

func progressLine(name string, done, total int64, elapsed time.Duration) string {
	return fmt.Sprintf("%-22s %10s / %-10s %s doc/s", name, Thousands(done), Thousands(total), Thousands(rate(done, elapsed)))
}

// rate is documents per second.
func rate(n int64, elapsed time.Duration) int64 {
	if elapsed <= 0 {
		return n
	}
	return int64(float64(n) / elapsed.Seconds())
}

// Thousands writes n with a space every three digits, the French way.
func Thousands(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Seconds writes a duration in seconds with a decimal comma.
func Seconds(d time.Duration) string {
	return strings.Replace(fmt.Sprintf("%.1f s", d.Seconds()), ".", ",", 1)
}

// Bytes writes a size in kio or Mio.
func Bytes(n int64) string {
	switch {
	case n >= 1<<20:
		return strings.Replace(fmt.Sprintf("%.1f Mio", float64(n)/(1<<20)), ".", ",", 1)
	case n >= 1<<10:
		return strings.Replace(fmt.Sprintf("%.1f kio", float64(n)/(1<<10)), ".", ",", 1)
	}
	return fmt.Sprintf("%d octets", n)
}
