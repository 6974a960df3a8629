package digest_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	netmail "net/mail"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"coterforum/digest"
	"coterforum/forum"
	"coterforum/mail"
)

// sink is an SMTP server on loopback that checks and counts messages, then
// forgets them. mailtest keeps every message (about 30 KB each), which
// would hide the runner's own memory use at 10 000 messages.
type sink struct {
	addr      string
	delivered atomic.Int64
	bad       atomic.Int64
}

func startSink(b *testing.B) *sink {
	k := &sink{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{k: k}, nil }))
	srv.Domain, srv.ErrorLog = "localhost", log.New(io.Discard, "", 0)
	srv.MaxMessageBytes = 4 << 20
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	k.addr = l.Addr().String()
	go func() { _ = srv.Serve(l) }()
	b.Cleanup(func() { _ = srv.Close() })
	return k
}

type sinkSession struct {
	k  *sink
	to []string
}

func (s *sinkSession) Mail(string, *smtp.MailOptions) error { s.to = nil; return nil }
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *sinkSession) Reset()        { s.to = nil }
func (s *sinkSession) Logout() error { return nil }

func (s *sinkSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg, err := netmail.ReadMessage(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil || len(s.to) != 1 || msg.Header.Get("List-Unsubscribe") == "" || msg.Header.Get("Subject") == "" {
		s.k.bad.Add(1)
	} else {
		s.k.delivered.Add(1)
	}
	return nil
}

// heapPeak samples HeapInuse until stop is closed and returns its maximum.
func heapPeak(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		var ms runtime.MemStats
		peak := uint64(0)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				out <- peak
				return
			case <-t.C:
			}
		}
	}()
	return out
}

// benchDigest builds and sends the daily digests of n subscribers, each
// following a theme or an authority type or a pair, over 30 active threads.
func benchDigest(b *testing.B, n int) {
	e := newEnv(b)
	k := startSink(b)
	sender, err := mail.NewSMTPSender("smtp://"+k.addr, "coterforum <forum@example.org>")
	if err != nil {
		b.Fatal(err)
	}
	svc := digest.New(e.forum, e.st, sender, e.svc.Config(), discard())
	themeSlugs := []string{"reseaux", "portails", "centres-appel-citoyens", "sig", "etat-civil-elections", "achats-marches"}
	typeSlugs := []string{"commune", "intercommunalite", "departement", "region"}
	var threads []*forum.Thread
	for i := range 30 {
		th, _ := e.thread(b, e.author, themeSlugs[i%6], fmt.Sprintf("Fil numéro %d sur un sujet utile", i), typeSlugs[i%4], typeSlugs[(i+1)%4])
		threads = append(threads, th)
	}
	subs := make([]digest.Subscriber, n)
	var subscriptions []digest.Subscription
	created := e.clock.Now().Add(-time.Hour)
	for i := range subs {
		subs[i] = digest.Subscriber{ID: forum.NewID(), Email: fmt.Sprintf("abonne%05d@example.org", i), Confirmed: true, CreatedAt: created, Lang: "fr"}
		targets := []digest.Target{{Kind: digest.TargetTheme, Theme: themeSlugs[i%6]}}
		if i%3 == 0 {
			targets = append(targets, digest.Target{Kind: digest.TargetAuthorityType, AuthorityType: typeSlugs[i%4]})
		}
		if i%5 == 0 {
			targets = append(targets, digest.Target{Kind: digest.TargetThemeAuthority, Theme: themeSlugs[(i+1)%6], AuthorityType: typeSlugs[i%4]})
		}
		for _, t := range targets {
			subscriptions = append(subscriptions, digest.Subscription{ID: digest.SubscriptionID(subs[i].ID, t, digest.Daily),
				SubscriberID: subs[i].ID, Target: t, Frequency: digest.Daily, CreatedAt: created})
		}
	}
	if err := e.st.ImportSubscribers(context.Background(), subs, subscriptions); err != nil {
		b.Fatal(err)
	}
	subs, subscriptions = nil, nil
	runtime.GC()
	b.ResetTimer()
	var sent int
	var peak uint64
	for i := range b.N {
		b.StopTimer()
		e.clock.Advance(time.Hour)
		for _, th := range threads[:10] { // new replies every day
			e.reply(b, e.author, th, fmt.Sprintf("Réponse du jour %d : un retour d'expérience détaillé.", i))
		}
		now := time.Date(2026, 3, 12+i, 7, 0, 0, 0, paris)
		e.clock.Set(now)
		runtime.GC()
		stop := make(chan struct{})
		peakc := heapPeak(stop)
		b.StartTimer()
		got, err := svc.RunOnce(context.Background(), digest.Daily, now)
		b.StopTimer()
		close(stop)
		peak = max(peak, <-peakc)
		if err != nil {
			b.Fatal(err)
		}
		sent += got
	}
	if sent != n*b.N || int(k.delivered.Load()) != n*b.N || k.bad.Load() != 0 {
		b.Fatalf("sent %d, delivered %d, malformed %d; want %d", sent, k.delivered.Load(), k.bad.Load(), n*b.N)
	}
	b.ReportMetric(float64(sent)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// BenchmarkDigest10k: go test -run '^$' -bench Digest -benchtime 1x ./digest/
// (compare peak-heap-MiB with BenchmarkDigest1k: memory does not grow with
// the number of subscribers, which are read in pages).
func BenchmarkDigest10k(b *testing.B) { benchDigest(b, 10000) }

// BenchmarkDigest1k is BenchmarkDigest10k with 1 000 subscribers.
func BenchmarkDigest1k(b *testing.B) { benchDigest(b, 1000) }
