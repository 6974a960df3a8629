package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"coterforum/forum"
)

// repairCmd compares every thread's counters (status, published posts,
// last activity, last post) and every member's approved count with what
// the posts say: --check lists the differences and fails if there are any,
// --fix repairs them and says how many. It runs beside a running server
// (on SQLite as the other commands do; the server's caches follow through
// the change sequence).
func repairCmd(ctx context.Context, cfg config, args []string, stdout io.Writer, log *slog.Logger) error {
	fs := newFlags("repair")
	check := fs.Bool("check", false, "liste les écarts sans rien modifier")
	fix := fs.Bool("fix", false, "répare les écarts")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%v\n%s", err, usage)
	}
	if *check == *fix || fs.NArg() > 0 {
		return errors.New("repair : indiquez --check (vérifier) ou --fix (réparer)")
	}
	st, svc, err := openService(ctx, cfg, log, true, nil)
	if err != nil {
		return err
	}
	defer st.Close(context.Background())
	return repair(ctx, svc, *fix, stdout)
}

// repair runs the reconciliation and reports it.
func repair(ctx context.Context, svc *forum.Service, fix bool, stdout io.Writer) error {
	r, err := svc.Reconcile(ctx, forum.ReconcileScope{}, fix)
	if err != nil {
		return err
	}
	for _, d := range r.Discrepancies {
		fmt.Fprintln(stdout, d.String())
	}
	fmt.Fprintf(stdout, "%d fils et %d membres vérifiés, %d écarts", r.Threads, r.Members, len(r.Discrepancies))
	if fix {
		fmt.Fprintf(stdout, ", %d réparés\n", r.Fixed)
		if r.Fixed != len(r.Discrepancies) {
			return fmt.Errorf("repair : %d écarts non réparés", len(r.Discrepancies)-r.Fixed)
		}
		return nil
	}
	fmt.Fprintln(stdout)
	if len(r.Discrepancies) > 0 {
		return fmt.Errorf("repair : %d écarts entre les compteurs et les messages (coterforum repair --fix les répare)", len(r.Discrepancies))
	}
	return nil
}
