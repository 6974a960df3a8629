package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"coterforum/store"
)

// datasetFile holds, in a kept data dir, what the measures need to know of
// its dataset.
const datasetFile = "bench-dataset.json"

// savedDataset is the content of datasetFile.
type savedDataset struct {
	Dataset dataset
	Seeded  *seeded
}

// prepareData seeds the dataset (in -datadir, a fresh dir of tmp, or a
// fresh MongoDB database) or finds it in -datadir, and returns it with the
// server's environment to use it, and on MongoDB the function that drops
// the database (unless -keep). The store is closed when it returns: the
// data dir is locked by one process at a time.
func prepareData(ctx context.Context, o options, rep *report, tmp string) (sd *seeded, env []string, drop func(), err error) {
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	dataDir := filepath.Join(tmp, "data")
	if o.dataDir != "" {
		dataDir = o.dataDir
	}
	cfg := store.Config{DataDir: dataDir}
	env = []string{"FORUM_DATA_DIR=" + dataDir}
	rep.Store = "embedded SQLite (store/sqlite), data dir " + dataDir
	if o.dataDir == "" {
		rep.Store = "embedded SQLite (store/sqlite), fresh data dir"
	}
	if uri := os.Getenv("MONGODB_URI"); uri != "" {
		cfg.URI, cfg.Database = uri, fmt.Sprintf("coterforum_bench_%d", time.Now().Unix())
		env = append(env, "MONGODB_URI="+uri, "MONGODB_DATABASE="+cfg.Database)
		rep.Store = "MongoDB " + store.RedactURI(uri) + ", database " + cfg.Database
		if !o.keep {
			drop = func() { dropDatabase(cfg, quiet) }
		}
	}
	saved := filepath.Join(dataDir, datasetFile)
	if o.dataDir != "" {
		if b, err := os.ReadFile(saved); err == nil {
			var s savedDataset
			if err := json.Unmarshal(b, &s); err != nil {
				return nil, nil, nil, fmt.Errorf("%s : %w", saved, err)
			}
			if s.Dataset.Threads != o.ds.Threads || s.Dataset.Posts != o.ds.Posts || s.Dataset.Members != o.ds.Members {
				return nil, nil, nil, fmt.Errorf("%s contient %d fils et %d messages, pas le jeu demandé (%d fils, %d messages)",
					dataDir, s.Dataset.Threads, s.Dataset.Posts, o.ds.Threads, o.ds.Posts)
			}
			s.Seeded.Reused = true
			progress("jeu de données réutilisé : %s (%d fils, %d messages à l'origine)", dataDir, s.Seeded.Threads, s.Seeded.Posts)
			return s.Seeded, env, nil, nil
		}
		if entries, _ := os.ReadDir(dataDir); len(entries) > 0 {
			return nil, nil, nil, fmt.Errorf("%s n'est pas vide et n'a pas de %s", dataDir, datasetFile)
		}
	}
	progress("jeu de données %s : %d fils, %d messages, %d membres…", o.ds.Size, o.ds.Threads, o.ds.Posts, o.ds.Members)
	sd, err = seedForum(ctx, cfg, o.ds, quiet)
	if err != nil {
		return nil, nil, drop, fmt.Errorf("jeu de données : %w", err)
	}
	if o.dataDir != "" {
		b, _ := json.MarshalIndent(savedDataset{Dataset: o.ds, Seeded: sd}, "", "  ")
		if err := os.WriteFile(saved, b, 0o600); err != nil {
			return nil, nil, drop, err
		}
	}
	return sd, env, drop, nil
}
