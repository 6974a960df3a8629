package archive

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"coterforum/store"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// ErrMismatch is returned when a copy or a restore ends with counts that
// differ from its source's.
var ErrMismatch = errors.New("les comptes diffèrent")

// CopyOptions say how to copy.
type CopyOptions struct {
	// Batch is how many documents are read and written at a time
	// (DefaultBatch).
	Batch int
	// Resume continues an interrupted copy: each collection is copied from
	// after the greatest key the target holds, instead of refusing a
	// target that is not empty; a collection that then counts fewer
	// documents than its source is read again whole (existing keys are
	// skipped by the import).
	Resume bool
	// Progress shows one line per collection (nil: nothing).
	Progress *Progress
	// Warn receives a one-line warning.
	Warn func(string)
}

// CopyRow is one collection of a copy's summary.
type CopyRow struct {
	Name   string
	Source int64
	Target int64
	// Copied is what this run wrote (less than Source after a resume).
	Copied  int64
	Elapsed time.Duration
}

// CopySummary is what a copy did.
type CopySummary struct {
	Rows       []CopyRow
	Copied     int64
	Consistent bool
	Elapsed    time.Duration
}

// Mismatches names the collections whose target count differs.
func (s CopySummary) Mismatches() []string {
	var bad []string
	for _, r := range s.Rows {
		if r.Source != r.Target {
			bad = append(bad, r.Name)
		}
	}
	return bad
}

// Copy streams every collection of src into dst, in key order and in
// batches, ids kept, reading src from one snapshot where it has them. A
// target holding documents is refused unless opt.Resume. The counts are
// compared per collection at the end: a difference is ErrMismatch, with
// the summary.
func Copy(ctx context.Context, src, dst store.Dumper, opt CopyOptions) (CopySummary, error) {
	start := time.Now()
	if opt.Batch <= 0 {
		opt.Batch = DefaultBatch
	}
	from, release, consistent, err := snapshot(ctx, src, opt.Warn)
	if err != nil {
		return CopySummary{}, err
	}
	defer release()
	if err := checkEmpty(ctx, dst, "copie refusée ; --resume reprend une copie interrompue", opt.Resume); err != nil {
		return CopySummary{}, err
	}
	s := CopySummary{Consistent: consistent}
	for _, c := range store.Collections {
		row, err := copyCollection(ctx, from, dst, c, opt)
		if err != nil {
			return s, err
		}
		s.Rows = append(s.Rows, row)
		s.Copied += row.Copied
	}
	// The target is counted once everything is written.
	for i := range s.Rows {
		n, err := dst.CountCollection(ctx, s.Rows[i].Name)
		if err != nil {
			return s, fmt.Errorf("comptage de %s dans la cible : %w", s.Rows[i].Name, err)
		}
		s.Rows[i].Target = n
		// A resumed copy misses documents when the interrupted one left a
		// hole before its greatest key (an unordered insert cut short):
		// the collection is read again whole, existing keys skipped.
		if opt.Resume && n < s.Rows[i].Source {
			opt.Progress.Printf("%s : %d document(s) manquant(s) avant la reprise, nouvelle passe complète\n", s.Rows[i].Name, s.Rows[i].Source-n)
			full := opt
			full.Resume = false
			row, err := copyCollection(ctx, from, dst, s.Rows[i].Name, full)
			if err != nil {
				return s, err
			}
			s.Rows[i].Copied += row.Copied
			s.Copied += row.Copied
			if s.Rows[i].Target, err = dst.CountCollection(ctx, s.Rows[i].Name); err != nil {
				return s, fmt.Errorf("comptage de %s dans la cible : %w", s.Rows[i].Name, err)
			}
		}
	}
	s.Elapsed = time.Since(start)
	if bad := s.Mismatches(); len(bad) > 0 {
		return s, fmt.Errorf("copie incomplète : %w pour %s", ErrMismatch, strings.Join(bad, ", "))
	}
	return s, nil
}

// batchOrErr is a batch read ahead, or why reading stopped.
type batchOrErr struct {
	docs []bson.Raw
	err  error
}

// copyCollection copies one collection, reading the next batch while the
// last one is written.
func copyCollection(ctx context.Context, src, dst store.Dumper, c string, opt CopyOptions) (CopyRow, error) {
	row := CopyRow{Name: c}
	total, err := src.CountCollection(ctx, c)
	if err != nil {
		return row, fmt.Errorf("comptage de %s : %w", c, err)
	}
	after := ""
	var already int64
	if opt.Resume {
		if after, err = dst.LastKey(ctx, c); err != nil {
			return row, fmt.Errorf("reprise de %s : %w", c, err)
		}
		if already, err = dst.CountCollection(ctx, c); err != nil {
			return row, fmt.Errorf("reprise de %s : %w", c, err)
		}
	}
	rctx, cancel := context.WithCancel(ctx)
	batches := make(chan batchOrErr, 2)
	// The reader is stopped and waited for before the snapshot it reads
	// can be released.
	defer func() {
		cancel()
		for range batches {
		}
	}()
	go func() {
		defer close(batches)
		err := exportCollection(rctx, src, c, after, opt.Batch, func(docs []bson.Raw) error {
			select {
			case batches <- batchOrErr{docs: docs}:
				return nil
			case <-rctx.Done():
				return rctx.Err()
			}
		})
		if err != nil {
			select {
			case batches <- batchOrErr{err: err}:
			case <-rctx.Done():
			}
		}
	}()
	start := time.Now()
	for b := range batches {
		if b.err != nil {
			return row, b.err
		}
		if err := dst.ImportBatch(ctx, c, b.docs); err != nil {
			return row, fmt.Errorf("écriture de %s : %w", c, err)
		}
		row.Copied += int64(len(b.docs))
		opt.Progress.Update(c, already+row.Copied, total, time.Since(start))
	}
	if err := ctx.Err(); err != nil {
		return row, err
	}
	row.Elapsed = time.Since(start)
	// Without a snapshot the source may have grown while it was read: its
	// count is taken again at the end.
	if row.Source, err = src.CountCollection(ctx, c); err != nil {
		return row, fmt.Errorf("comptage de %s : %w", c, err)
	}
	opt.Progress.Done(c, already+row.Copied, row.Source, row.Elapsed)
	return row, nil
}

// WriteTable writes a copy's summary: one row per collection with its
// counts, then the total and the rate.
func WriteTable(p *Progress, s CopySummary) {
	p.Printf("\n%-22s %12s %12s\n", "collection", "source", "cible")
	for _, r := range s.Rows {
		mark := "ok"
		if r.Source != r.Target {
			mark = "ÉCART"
		}
		p.Printf("%-22s %12s %12s  %s\n", r.Name, Thousands(r.Source), Thousands(r.Target), mark)
	}
	p.Printf("%s documents copiés en %s (%s documents/s)\n", Thousands(s.Copied), Seconds(s.Elapsed), Thousands(rate(s.Copied, s.Elapsed)))
}
