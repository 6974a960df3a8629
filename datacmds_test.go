package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"coterforum/archive"
	"coterforum/store"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// runCmd runs a command of the binary and returns its output.
func runCmd(args ...string) (string, error) {
	var out bytes.Buffer
	err := run(context.Background(), args, nil, &out, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return out.String(), err
}

// startFerret starts FerretDB, the MongoDB-wire test double, until the
// test ends, and returns its URI without a database ("mongodb://h:p/").
func startFerret(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ferretdb")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = f.Run(ctx) }()
	t.Cleanup(func() { stop(); <-done })
	return f.MongoDBURI()
}

// openDumper opens a store for the test, beside any server, closed at the
// end of the test.
func openDumper(t *testing.T, spec storeSpec) store.Dumper {
	t.Helper()
	st, d, err := openDumpStore(context.Background(), spec, false, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close(context.Background()) })
	return d
}

// archiveExport reads an archive as Extended JSON lines per collection.
func archiveExport(t *testing.T, path string) map[string][]string {
	t.Helper()
	r, err := archive.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	out := map[string][]string{}
	for {
		c, docs, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			j, _ := bson.MarshalExtJSON(d, true, false)
			out[c] = append(out[c], string(j))
		}
	}
}

// TestBackupRestoreAndCopy builds a forum with every kind of entity through
// a running server, then checks that
//   - a backup taken while the server runs, restored into an empty data
//     dir, holds exactly the archived documents and serves identical API
//     answers, pages and feeds (sessions included);
//   - restore refuses a data dir in use by a server, a non-empty store
//     (unless --force) and a truncated archive, writing nothing;
//   - copy SQLite → MongoDB (FerretDB) → SQLite gives identical
//     collections and identical API answers, shows one progress line per
//     collection, refuses a non-empty target, finishes an interrupted copy
//     with --resume, and fails on a count mismatch.
func TestBackupRestoreAndCopy(t *testing.T) {
	t.Setenv("FORUM_BASE_URL", "http://forum.test")
	t.Setenv("MONGODB_DATABASE", "")
	root := t.TempDir()
	dirA, dirB, dirC := filepath.Join(root, "a"), filepath.Join(root, "b"), filepath.Join(root, "c")
	urlA := startServe(t, dirA)
	f := buildForum(t, urlA, dirA)
	dumpA := apiDump(t, urlA, f)

	// Backup while the server runs.
	backup := filepath.Join(root, "forum.cfa.gz")
	out, err := runCmd("backup", "--to", backup)
	if err != nil || !strings.Contains(out, "sauvegarde écrite") || !strings.Contains(out, "posts") {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	if st, err := os.Stat(backup); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("archive: %v %v", st, err)
	}
	if _, err := runCmd("backup", "--to", filepath.Join(root, "absent", "x.gz")); err == nil || !strings.Contains(err.Error(), "impossible de créer") {
		t.Fatalf("backup to an unwritable path: %v", err)
	}

	// Restore: refused into the running server's data dir.
	if _, err := runCmd("restore", "--from", backup); err == nil || !strings.Contains(err.Error(), "un serveur coterforum utilise") {
		t.Fatalf("restore beside the server: %v", err)
	}
	// A truncated archive is refused and nothing is written.
	b, _ := os.ReadFile(backup)
	cut := filepath.Join(root, "cut.cfa.gz")
	os.WriteFile(cut, b[:len(b)/2], 0o600)
	dirD := filepath.Join(root, "d")
	t.Setenv("FORUM_DATA_DIR", dirD)
	if _, err := runCmd("restore", "--from", cut); err == nil || !strings.Contains(err.Error(), "tronquée") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("restore of a truncated archive: %v", err)
	}
	foreign := filepath.Join(root, "foreign.gz")
	os.WriteFile(foreign, []byte("{\"hello\":1}\n"), 0o600)
	if _, err := runCmd("restore", "--from", foreign); err == nil || !strings.Contains(err.Error(), "pas une archive coterforum") {
		t.Fatalf("restore of a foreign file: %v", err)
	}
	if _, err := os.Stat(dirD); !os.IsNotExist(err) {
		t.Fatalf("a refused restore wrote %s: %v", dirD, err)
	}
	// Into an empty data dir; a second time is refused, unless --force.
	t.Setenv("FORUM_DATA_DIR", dirB)
	if out, err := runCmd("restore", "--from", backup); err != nil || !strings.Contains(out, "comptes vérifiés") {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	if _, err := runCmd("restore", "--from", backup); err == nil || !strings.Contains(err.Error(), "n'est pas vide") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("restore into a non-empty store: %v", err)
	}
	if _, err := runCmd("restore", "--from", backup, "--force"); err != nil {
		t.Fatalf("restore --force: %v", err)
	}
	compareExports(t, "archive → restored store", archiveExport(t, backup), storeExport(t, openDumper(t, storeSpec{DataDir: dirB})))
	urlB := startServe(t, dirB)
	compareDumps(t, "backup → restore", dumpA, apiDump(t, urlB, f))

	// Copy SQLite → FerretDB → SQLite.
	ferret := startFerret(t)
	uri := ferret + "copie"
	out, err = runCmd("copy", "--from", dirA, "--to", uri)
	if err != nil {
		t.Fatalf("copy to MongoDB: %v\n%s", err, out)
	}
	progress, _, _ := strings.Cut(out, "\n\n")
	for _, c := range store.Collections {
		if n := strings.Count("\n"+progress, "\n"+c+" "); n != 1 {
			t.Errorf("%d progress lines for %s:\n%s", n, c, out)
		}
	}
	if !strings.Contains(out, "documents copiés") || strings.Contains(out, "ÉCART") {
		t.Fatalf("copy summary:\n%s", out)
	}
	if _, err := runCmd("copy", "--from", dirA, "--to", uri); !errors.Is(err, archive.ErrNotEmpty) {
		t.Fatalf("copy into a non-empty target: %v", err)
	}
	if out, err := runCmd("copy", "--quiet", "--from", uri, "--to", dirC); err != nil || out != "" {
		t.Fatalf("copy back to SQLite: %v\n%q", err, out)
	}
	exportA := storeExport(t, openDumper(t, storeSpec{DataDir: dirA}))
	compareExports(t, "SQLite → MongoDB", exportA, storeExport(t, openDumper(t, parseStoreSpec(uri, ""))))
	compareExports(t, "SQLite → MongoDB → SQLite", exportA, storeExport(t, openDumper(t, storeSpec{DataDir: dirC})))
	urlC := startServe(t, dirC)
	compareDumps(t, "copy SQLite → MongoDB → SQLite", dumpA, apiDump(t, urlC, f))

	t.Run("restore into MongoDB", func(t *testing.T) {
		// As the server does: MONGODB_URI, and the database MONGODB_DATABASE.
		t.Setenv("MONGODB_URI", ferret)
		t.Setenv("MONGODB_DATABASE", "restauration")
		if out, err := runCmd("restore", "--from", backup); err != nil {
			t.Fatalf("restore into MongoDB: %v\n%s", err, out)
		}
		compareExports(t, "archive → MongoDB", archiveExport(t, backup), storeExport(t, openDumper(t, storeSpec{URI: ferret, Database: "restauration"})))
	})

	t.Run("resume", func(t *testing.T) {
		// A copy that stopped after the first batches of some collections,
		// with a hole in one.
		target := ferret + "reprise"
		src, dst := openDumper(t, storeSpec{DataDir: dirA}), openDumper(t, parseStoreSpec(target, ""))
		ctx := context.Background()
		for i, c := range store.Collections[:7] {
			n := 1 + i%3
			if c == "themes" {
				n = 3
			}
			docs, err := src.ExportBatch(ctx, c, "", n)
			if err != nil {
				t.Fatal(err)
			}
			if c == "themes" {
				// An unordered insert cut short: a hole before the greatest key.
				docs = append(docs[:1:1], docs[2])
			}
			if len(docs) > 0 {
				if err := dst.ImportBatch(ctx, c, docs); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := runCmd("copy", "--from", dirA, "--to", target); !errors.Is(err, archive.ErrNotEmpty) {
			t.Fatalf("copy into a half-copied target: %v", err)
		}
		if out, err := runCmd("copy", "--resume", "--batch", "2", "--from", dirA, "--to", target); err != nil || !strings.Contains(out, "themes : 1 document(s) manquant(s)") {
			t.Fatalf("copy --resume: %v\n%s", err, out)
		}
		compareExports(t, "resumed copy", exportA, storeExport(t, dst))
	})

	t.Run("mismatch", func(t *testing.T) {
		// A target with one more theme than the source: resumed, the copy
		// ends with counts that differ, and says so.
		target := ferret + "ecart"
		src, dst := openDumper(t, storeSpec{DataDir: dirA}), openDumper(t, parseStoreSpec(target, ""))
		ctx := context.Background()
		docs, err := src.ExportBatch(ctx, "themes", "", 1)
		if err != nil || len(docs) != 1 {
			t.Fatalf("export: %v", err)
		}
		var d bson.D
		if err := bson.Unmarshal(docs[0], &d); err != nil {
			t.Fatal(err)
		}
		for i := range d {
			if d[i].Key == "_id" {
				d[i].Value = "zzz-theme-en-trop"
			}
			if d[i].Key == "slug" {
				d[i].Value = "en-trop"
			}
		}
		extra, _ := bson.Marshal(d)
		if err := dst.ImportBatch(ctx, "themes", []bson.Raw{extra}); err != nil {
			t.Fatal(err)
		}
		out, err := runCmd("copy", "--resume", "--from", dirA, "--to", target)
		if !errors.Is(err, archive.ErrMismatch) || !strings.Contains(err.Error(), "themes") || !strings.Contains(out, "ÉCART") {
			t.Fatalf("copy with a mismatch: %v\n%s", err, out)
		}
	})
}

// TestStoreSpec reads --from and --to arguments.
func TestStoreSpec(t *testing.T) {
	for arg, want := range map[string]storeSpec{
		"./data":            {DataDir: "./data"},
		"mongodb://h:27017": {URI: "mongodb://h:27017", Database: "defaut"},
		"mongodb://u:p@h1,h2/forum?replicaSet=rs": {URI: "mongodb://u:p@h1,h2/forum?replicaSet=rs", Database: "forum"},
		"mongodb+srv://c.example.net/?w=1":        {URI: "mongodb+srv://c.example.net/?w=1", Database: "defaut"},
	} {
		if got := parseStoreSpec(arg, "defaut"); got != want {
			t.Errorf("parseStoreSpec(%q) = %+v, want %+v", arg, got, want)
		}
	}
	if got := parseStoreSpec("mongodb://h/", ""); got.Database != "coterforum" {
		t.Errorf("default database %q", got.Database)
	}
	if !sameStore(storeSpec{DataDir: "data"}, storeSpec{DataDir: "./data/"}) {
		t.Error("the same data dir is not the same store")
	}
}
