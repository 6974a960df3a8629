package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"coterforum/digest"
)

// The control socket lets a command reach the server that holds the data
// dir's lock: `coterforum digest run` asks the running server to send the
// digests instead of failing on the lock. It is a Unix socket inside the
// data dir (mode 0600, in a 0700 dir): only the server's user can use it.
const controlSocket = "control.sock"

// digestRunResult is the answer of the control endpoint.
type digestRunResult struct {
	Sent    int    `json:"sent"`
	Pending int    `json:"pending"`
	Error   string `json:"error,omitempty"`
}

// runDigestNow builds and sends the digests of a frequency and waits up to
// wait for the retries; shared by the command and the control endpoint.
func runDigestNow(ctx context.Context, dig *digest.Service, frequency string, wait time.Duration) (digestRunResult, error) {
	// Another run of the same frequency (the scheduler's, or another
	// process's) holds the lease: wait for it rather than fail.
	var sent int
	var err error
	for deadline := time.Now().Add(2 * time.Minute); ; {
		sent, err = dig.RunOnce(ctx, frequency, time.Now())
		if !errors.Is(err, digest.ErrBusy) || time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return digestRunResult{}, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	if err != nil {
		return digestRunResult{}, fmt.Errorf("résumés %s : %w", frequency, err)
	}
	more, pending, err := dig.Drain(ctx, wait)
	if err != nil {
		return digestRunResult{}, fmt.Errorf("envoi des résumés : %w", err)
	}
	return digestRunResult{Sent: sent + more, Pending: pending}, nil
}

// serveControl listens on the control socket until ctx ends.
func serveControl(ctx context.Context, dataDir string, dig *digest.Service, log *slog.Logger) (func(), error) {
	path := filepath.Join(dataDir, controlSocket)
	_ = os.Remove(path) // a stale socket of a crashed server; we hold the lock
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("socket de contrôle %s : %w", path, err)
	}
	_ = os.Chmod(path, 0o600)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /digest/run", func(w http.ResponseWriter, r *http.Request) {
		freq := r.URL.Query().Get("frequency")
		wait, _ := time.ParseDuration(r.URL.Query().Get("wait"))
		w.Header().Set("Content-Type", "application/json")
		if freq != digest.Daily && freq != digest.Weekly {
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(digestRunResult{Error: "--frequency vaut daily ou weekly"})
			return
		}
		res, err := runDigestNow(r.Context(), dig, freq, wait)
		if err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			res.Error = err.Error()
		}
		_ = json.NewEncoder(w).Encode(res)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Warn("socket de contrôle arrêté", "err", err)
		}
	}()
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		_ = os.Remove(path)
	}, nil
}

// digestRunViaServer asks the running server to send the digests.
func digestRunViaServer(ctx context.Context, dataDir, frequency string, wait time.Duration) (digestRunResult, error) {
	path := filepath.Join(dataDir, controlSocket)
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", path)
	}}}
	url := "http://coterforum/digest/run?frequency=" + frequency + "&wait=" + wait.String()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
	if err != nil {
		return digestRunResult{}, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return digestRunResult{}, fmt.Errorf("le serveur qui utilise %s ne répond pas sur %s : %w", dataDir, path, err)
	}
	defer resp.Body.Close()
	var res digestRunResult
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		return res, fmt.Errorf("réponse du serveur illisible : %w", err)
	}
	if res.Error != "" {
		return res, errors.New(res.Error)
	}
	return res, nil
}
