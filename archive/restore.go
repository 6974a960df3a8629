package archive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"coterforum/store"
)

// ErrNotEmpty is returned when a restore or a copy finds documents in its
// target and was not told to wipe it (restore --force) or to resume
// (copy --resume).
var ErrNotEmpty = errors.New("la base cible n'est pas vide")

// RestoreOptions say how to restore.
type RestoreOptions struct {
	// Force wipes a target that holds documents instead of refusing it.
	Force bool
	// Progress shows one line per collection (nil: nothing).
	Progress *Progress
}

// RestoreSummary is what a restore wrote.
type RestoreSummary struct {
	Header      Header
	Collections []CollectionCount
	Documents   int64
	Elapsed     time.Duration
}

// Restore writes the forum of the archive at path into d. The whole
// archive is read first: a truncated, altered or foreign file is refused
// before anything is written. A target holding documents is refused unless
// opt.Force, which wipes it first. The counts are checked at the end.
func Restore(ctx context.Context, d store.Dumper, path string, opt RestoreOptions) (RestoreSummary, error) {
	start := time.Now()
	h, t, err := Verify(path)
	if err != nil {
		return RestoreSummary{}, err
	}
	if err := checkEmpty(ctx, d, "restauration refusée ; --force l'efface d'abord", opt.Force); err != nil {
		return RestoreSummary{}, err
	}
	if opt.Force {
		if err := d.Wipe(ctx); err != nil {
			return RestoreSummary{}, fmt.Errorf("effacement de la base cible : %w", err)
		}
	}
	want := map[string]int64{}
	for _, c := range t.Collections {
		want[c.Name] = c.Count
	}
	r, err := Open(path)
	if err != nil {
		return RestoreSummary{}, err
	}
	defer r.Close()
	var current string
	var done int64
	began := time.Now()
	for {
		c, docs, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return RestoreSummary{}, err
		}
		if c != current {
			if current != "" {
				opt.Progress.Done(current, done, want[current], time.Since(began))
			}
			current, done, began = c, 0, time.Now()
		}
		if err := d.ImportBatch(ctx, c, docs); err != nil {
			return RestoreSummary{}, fmt.Errorf("écriture de %s : %w", c, err)
		}
		done += int64(len(docs))
		opt.Progress.Update(c, done, want[c], time.Since(began))
	}
	if current != "" {
		opt.Progress.Done(current, done, want[current], time.Since(began))
	}
	var bad []string
	s := RestoreSummary{Header: h}
	for _, c := range store.Collections {
		n, err := d.CountCollection(ctx, c)
		if err != nil {
			return s, fmt.Errorf("comptage de %s : %w", c, err)
		}
		if n != want[c] {
			bad = append(bad, fmt.Sprintf("%s : %d au lieu de %d", c, n, want[c]))
		}
		s.Collections = append(s.Collections, CollectionCount{Name: c, Count: n})
		s.Documents += n
	}
	s.Elapsed = time.Since(start)
	if len(bad) > 0 {
		return s, fmt.Errorf("restauration incomplète : %s", strings.Join(bad, ", "))
	}
	return s, nil
}

// checkEmpty refuses a target that holds documents, unless allowed, with
// one line naming what it holds.
func checkEmpty(ctx context.Context, d store.Dumper, advice string, allowed bool) error {
	var held []string
	for _, c := range store.Collections {
		n, err := d.CountCollection(ctx, c)
		if err != nil {
			return fmt.Errorf("comptage de %s dans la cible : %w", c, err)
		}
		if n > 0 {
			held = append(held, fmt.Sprintf("%s : %d", c, n))
		}
	}
	if len(held) == 0 || allowed {
		return nil
	}
	if len(held) > 4 {
		held = append(held[:4], "…")
	}
	return fmt.Errorf("%w (%s) : %s", ErrNotEmpty, strings.Join(held, ", "), advice)
}
