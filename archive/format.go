// Package archive moves a whole forum out of a store and into another:
// portable archive files (backup, restore) and store-to-store copies, both
// streamed collection by collection through store.Dumper, ids kept.
//
// An archive is one gzip file of JSON lines:
//
//	{"format":"coterforum-archive","version":1,"engine":"sqlite","created_at":"…","consistent":true,"collections":[{"name":"themes","count":6},…]}
//	{"batch":{"collection":"themes","documents":6}}
//	{"_id":"…",…}                       six documents, canonical MongoDB Extended JSON
//	…
//	{"trailer":{"collections":[{"name":"themes","count":6},…],"documents":1234}}
//
// The header says what the archive holds when it was begun; a batch line
// says how many document lines follow it; the trailer, written last, holds
// the counts written. An archive without its trailer (cut short), or whose
// batches disagree with it, is refused before anything is restored.
package archive

import (
	"encoding/json"
	"time"
)

// Format and Version name the archive format in its header.
const (
	Format  = "coterforum-archive"
	Version = 1
)

// CollectionCount is how many documents of a collection an archive holds.
type CollectionCount struct {
	Name  string `json:"name"`
	Count int64  `json:"count"`
}

// Header is the first line of an archive.
type Header struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	// Engine is the engine the forum was read from: "sqlite" or "mongodb".
	Engine string `json:"engine"`
	// CreatedAt is when the backup began (UTC).
	CreatedAt time.Time `json:"created_at"`
	// SchemaVersion is the source database's schema version, when known.
	SchemaVersion int `json:"schema_version,omitempty"`
	// Consistent says the whole archive was read from one snapshot of the
	// database (false: collection by collection, while the forum ran).
	Consistent bool `json:"consistent"`
	// Collections are the counts when the backup began (the trailer's are
	// what was written).
	Collections []CollectionCount `json:"collections"`
}

// Trailer is the last line of an archive.
type Trailer struct {
	Collections []CollectionCount `json:"collections"`
	Documents   int64             `json:"documents"`
}

// batchLine announces how many document lines of a collection follow.
type batchLine struct {
	Collection string `json:"collection"`
	Documents  int    `json:"documents"`
}

// controlLine is a line of an archive that is not a document.
type controlLine struct {
	Batch   *batchLine `json:"batch,omitempty"`
	Trailer *Trailer   `json:"trailer,omitempty"`
}

// marshalLine encodes v as one JSON line.
func marshalLine(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
