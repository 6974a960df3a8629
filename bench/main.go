// Command bench is coterforum's benchmark suite (issues 6 and 10): it seeds
// a forum of the chosen size (-size small|100k|1m) in a fresh data dir (or
// a fresh database of MONGODB_URI), starts the real server binary on it,
// and measures its start, the store uncached (pages alone, search), the
// cached pages under load against the static-bytes limit of the machine,
// readers and members posting at the same time, posting alone, Markdown
// rendering and the server's peak memory. See BENCHMARKS.md.
//
//	go run ./bench [-size 100k] [-d 20s] [-c 50] [-posters 10] [-out FILE]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench :", err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	window, warmup, timeout time.Duration
	conns, posters          int
	alone, searchRounds     int
	gzip, keep              bool
	out, bin, dataDir       string
	ds                      dataset
}

func run() error {
	var o options
	size := flag.String("size", "small", "taille du jeu de données : small (500 fils, 5 000 messages), 100k (5 000 fils, 100 000 messages) ou 1m (50 000 fils, 1 000 000 de messages)")
	flag.DurationVar(&o.window, "d", 20*time.Second, "durée de chaque mesure sous charge")
	flag.DurationVar(&o.warmup, "warmup", 5*time.Second, "échauffement avant chaque mesure sous charge (remplit le cache de rendu)")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Second, "délai maximal d'une requête (au-delà : erreur)")
	flag.IntVar(&o.conns, "c", 50, "connexions simultanées des lecteurs")
	flag.IntVar(&o.posters, "posters", 10, "membres qui publient en même temps (0 : ni mesure mixte ni mesure d'écriture)")
	flag.IntVar(&o.alone, "alone", 9, "requêtes, une à la fois, de chaque page mesurée seule sans cache")
	flag.IntVar(&o.searchRounds, "search-rounds", 20, "tours de l'ensemble des recherches (16 requêtes par tour)")
	flag.BoolVar(&o.gzip, "gzip", true, "envoyer Accept-Encoding: gzip, deflate, br comme un navigateur")
	flag.BoolVar(&o.keep, "keep", false, "garder le dossier temporaire (et la base MongoDB) après la mesure")
	flag.StringVar(&o.out, "out", "", "écrire aussi le rapport Markdown dans ce fichier")
	flag.StringVar(&o.bin, "bin", "", "binaire coterforum déjà construit (défaut : go build du dépôt)")
	flag.StringVar(&o.dataDir, "datadir", "", "dossier de données gardé : rempli s'il est vide, sinon réutilisé tel quel (base intégrée seulement)")
	flag.IntVar(&o.ds.Threads, "threads", 0, "fils du jeu de données (défaut : celui de -size)")
	flag.IntVar(&o.ds.Posts, "posts", 0, "messages du jeu de données, premiers messages compris (défaut : celui de -size)")
	flag.IntVar(&o.ds.Members, "members", 0, "membres du jeu de données (défaut : celui de -size)")
	flag.IntVar(&o.ds.HotReplies, "replies", 50, "réponses du fil mesuré")
	flag.IntVar(&o.ds.Years, "years", 10, "années sur lesquelles les fils sont répartis")
	flag.Uint64Var(&o.ds.Seed, "seed", 6, "graine du générateur")
	staticDir := flag.String("serve-static", "", "(interne) servir la page enregistrée dans ce dossier")
	staticAddr := flag.String("addr", "", "(interne) adresse du serveur d'octets statiques")
	flag.Parse()
	if *staticDir != "" {
		return serveStatic(*staticDir, *staticAddr)
	}
	ds, err := applyPreset(*size, o.ds)
	if err != nil {
		return err
	}
	o.ds = ds
	if o.conns < 1 || o.posters < 0 || o.window <= 0 || o.alone < 1 || o.searchRounds < 1 {
		return errors.New("-c ≥ 1, -posters ≥ 0, -d > 0, -alone ≥ 1 et -search-rounds ≥ 1")
	}
	if o.ds.Members < 4 {
		return errors.New("-members ≥ 4")
	}
	if o.dataDir != "" && os.Getenv("MONGODB_URI") != "" {
		return errors.New("-datadir ne vaut que pour la base intégrée (MONGODB_URI est défini)")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return bench(ctx, o)
}

// applyPreset returns the preset's dataset with the fields given by flags
// (non-zero) over it.
func applyPreset(size string, flags dataset) (dataset, error) {
	ds, ok := presets[size]
	if !ok {
		return ds, fmt.Errorf("-size %q : small, 100k ou 1m", size)
	}
	if flags.Threads > 0 {
		ds.Threads = flags.Threads
	}
	if flags.Posts > 0 {
		ds.Posts = flags.Posts
	}
	if flags.Members > 0 {
		ds.Members = flags.Members
	}
	if ds.Threads != presets[size].Threads || ds.Posts != presets[size].Posts || ds.Members != presets[size].Members {
		ds.Size = size + " (modifié par les options)"
	}
	ds.HotReplies, ds.Years, ds.Seed = flags.HotReplies, flags.Years, flags.Seed
	return ds, nil
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s bench: "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}
