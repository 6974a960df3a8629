package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"coterforum/archive"
	"coterforum/store"
	"coterforum/store/sqlite"
)

// The commands that move a whole forum: backup, restore, copy (README.md,
// "Sauvegarde, restauration, copie").

// storeSpec is a store named on the command line or by the environment: a
// MongoDB URI with its database, or an SQLite data dir.
type storeSpec struct {
	URI      string
	Database string
	DataDir  string
}

// String names the store in messages, without a password.
func (s storeSpec) String() string {
	if s.URI != "" {
		return store.RedactURI(s.URI) + " (base " + s.Database + ")"
	}
	return s.DataDir
}

// parseStoreSpec reads a --from or --to argument: a mongodb:// or
// mongodb+srv:// URI (database from its path, else MONGODB_DATABASE, else
// "coterforum"), anything else a data dir.
func parseStoreSpec(arg, defaultDB string) storeSpec {
	if !strings.HasPrefix(arg, "mongodb://") && !strings.HasPrefix(arg, "mongodb+srv://") {
		return storeSpec{DataDir: arg}
	}
	db := defaultDB
	rest := arg[strings.Index(arg, "://")+3:]
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		path := rest[i+1:]
		if j := strings.IndexByte(path, '?'); j >= 0 {
			path = path[:j]
		}
		if path != "" {
			db = path
		}
	}
	if db == "" {
		db = "coterforum"
	}
	return storeSpec{URI: arg, Database: db}
}

// configSpec is the store the environment configures.
func configSpec(cfg config) storeSpec {
	if cfg.MongoURI != "" {
		db := cfg.MongoDB
		if db == "" {
			db = "coterforum"
		}
		return storeSpec{URI: cfg.MongoURI, Database: db}
	}
	return storeSpec{DataDir: cfg.DataDir}
}

// openDumpStore opens a store to stream a forum out of or into, without
// seeding anything. A source must exist; a command-mode SQLite store is
// opened beside a running server (reads), an exclusive one takes the data
// dir's lock (writes) and is refused while a server runs.
func openDumpStore(ctx context.Context, spec storeSpec, exclusive, mustExist bool) (store.Store, store.Dumper, error) {
	if spec.URI == "" && mustExist {
		if _, err := os.Stat(filepath.Join(spec.DataDir, sqlite.FileName)); err != nil {
			return nil, nil, fmt.Errorf("aucune base coterforum dans %s (%s absent)", spec.DataDir, sqlite.FileName)
		}
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := store.Open(ctx, store.Config{URI: spec.URI, Database: spec.Database, DataDir: spec.DataDir, Command: !exclusive}, quiet)
	if errors.Is(err, store.ErrLocked) {
		return nil, nil, fmt.Errorf("un serveur coterforum utilise %s : arrêtez-le avant d'y écrire", spec.DataDir)
	}
	if err != nil {
		return nil, nil, err
	}
	return st, st, nil
}

// schemaVersion is the store's schema version when it tells it, else 0.
func schemaVersion(ctx context.Context, st store.Store) int {
	if v, ok := st.(interface {
		SchemaVersion(context.Context) (int, error)
	}); ok {
		if n, err := v.SchemaVersion(ctx); err == nil {
			return n
		}
	}
	return 0
}

// isTerminal says whether w is a terminal (progress is then rewritten in
// place).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// warnLine writes a warning on the standard error.
func warnLine(msg string) { fmt.Fprintln(os.Stderr, "coterforum :", msg) }

// newFlags is a flag set that reports errors in one line.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// backupCmd writes the configured store to an archive while the forum runs.
func backupCmd(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	fs := newFlags("backup")
	to := fs.String("to", "", "fichier de l'archive")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%v\n%s", err, usage)
	}
	if *to == "" || fs.NArg() > 0 {
		return errors.New("backup : indiquez le fichier de l'archive avec --to FICHIER")
	}
	spec := configSpec(cfg)
	st, d, err := openDumpStore(ctx, spec, false, true)
	if err != nil {
		return err
	}
	defer st.Close(context.Background())
	s, err := archive.Backup(ctx, d, *to, archive.BackupOptions{Engine: st.Engine(), SchemaVersion: schemaVersion(ctx, st), Warn: warnLine})
	if err != nil {
		return err
	}
	for _, c := range s.Collections {
		fmt.Fprintf(stdout, "%-22s %10s\n", c.Name, archive.Thousands(c.Count))
	}
	mode := "lecture instantanée cohérente"
	if !s.Consistent {
		mode = "lue collection par collection"
	}
	fmt.Fprintf(stdout, "sauvegarde écrite : %s — %d collections, %s documents, %s, %s (%s, %s)\n", *to, len(s.Collections),
		archive.Thousands(s.Documents), archive.Bytes(s.Bytes), archive.Seconds(s.Elapsed), st.Engine(), mode)
	return nil
}

// restoreCmd writes an archive into the configured store, which must be
// empty (or is wiped with --force) and, on SQLite, not in use by a server.
func restoreCmd(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	fs := newFlags("restore")
	from := fs.String("from", "", "fichier de l'archive")
	force := fs.Bool("force", false, "efface la base cible si elle n'est pas vide")
	quietFlag := fs.Bool("quiet", false, "n'affiche que les erreurs")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%v\n%s", err, usage)
	}
	if *from == "" || fs.NArg() > 0 {
		return errors.New("restore : indiquez l'archive avec --from FICHIER")
	}
	// The archive is checked before the store is even opened.
	if _, _, err := archive.Verify(*from); err != nil {
		return err
	}
	spec := configSpec(cfg)
	st, d, err := openDumpStore(ctx, spec, true, false)
	if err != nil {
		return err
	}
	defer st.Close(context.Background())
	p := &archive.Progress{W: stdout, TTY: isTerminal(stdout), Quiet: *quietFlag}
	s, err := archive.Restore(ctx, d, *from, archive.RestoreOptions{Force: *force, Progress: p})
	if err != nil {
		return err
	}
	p.Printf("restauration terminée dans %s (%s) : %s documents en %s, comptes vérifiés (archive %s du %s)\n", spec, st.Engine(),
		archive.Thousands(s.Documents), archive.Seconds(s.Elapsed), s.Header.Engine, s.Header.CreatedAt.Format("2006-01-02 15:04:05 UTC"))
	return nil
}

// copyCmd streams every collection of one store into another.
func copyCmd(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	fs := newFlags("copy")
	from := fs.String("from", "", "dossier de données ou URI mongodb:// source")
	to := fs.String("to", "", "dossier de données ou URI mongodb:// cible")
	quietFlag := fs.Bool("quiet", false, "n'affiche que les erreurs")
	resume := fs.Bool("resume", false, "reprend une copie interrompue")
	batch := fs.Int("batch", archive.DefaultBatch, "documents par lot")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%v\n%s", err, usage)
	}
	if *from == "" || *to == "" || fs.NArg() > 0 {
		return errors.New("copy : indiquez la source et la cible avec --from et --to (dossier de données ou URI mongodb://)")
	}
	if *batch < 1 || *batch > 100000 {
		return errors.New("copy : --batch vaut de 1 à 100000")
	}
	src, dst := parseStoreSpec(*from, cfg.MongoDB), parseStoreSpec(*to, cfg.MongoDB)
	if sameStore(src, dst) {
		return errors.New("copy : --from et --to désignent la même base")
	}
	sst, sd, err := openDumpStore(ctx, src, false, true)
	if err != nil {
		return fmt.Errorf("source %s : %w", src, err)
	}
	defer sst.Close(context.Background())
	dst2, dd, err := openDumpStore(ctx, dst, true, false)
	if err != nil {
		return fmt.Errorf("cible %s : %w", dst, err)
	}
	defer dst2.Close(context.Background())
	p := &archive.Progress{W: stdout, TTY: isTerminal(stdout), Quiet: *quietFlag}
	warn := warnLine
	p.Printf("copie de %s (%s) vers %s (%s)\n", src, sst.Engine(), dst, dst2.Engine())
	s, err := archive.Copy(ctx, sd, dd, archive.CopyOptions{Batch: *batch, Resume: *resume, Progress: p, Warn: warn})
	if len(s.Rows) == len(store.Collections) {
		archive.WriteTable(p, s)
	}
	return err
}

// sameStore says whether two specs name the same database.
func sameStore(a, b storeSpec) bool {
	if a.URI != "" || b.URI != "" {
		return a.URI == b.URI && a.Database == b.Database
	}
	x, errA := filepath.Abs(a.DataDir)
	y, errB := filepath.Abs(b.DataDir)
	return errA == nil && errB == nil && x == y
}
