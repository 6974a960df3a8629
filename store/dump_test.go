package store_test

import (
	"testing"

	"coterforum/store/storetest"
)

// TestCopyAcrossEngines is the guarantee `coterforum copy` rests on: a
// forum with every kind of entity, built on one engine, exported in small
// batches, imported into the other engine and exported again gives the
// same portable documents byte for byte, and the same listings, thread
// pages and search results; copied back into a fresh store of the first
// engine, the same again. Both directions: SQLite → MongoDB (the MongoDB
// store on FerretDB, and on a real MongoDB when COTERFORUM_TEST_MONGODB_URI
// is set) → SQLite, and MongoDB → SQLite → MongoDB.
func TestCopyAcrossEngines(t *testing.T) {
	engines := storetest.Engines()
	lite := engines[0]
	if lite.Name != storetest.SQLite {
		t.Fatalf("the first engine is %s, not SQLite", lite.Name)
	}
	for _, other := range engines[1:] {
		for _, pair := range [][2]storetest.Engine{{lite, other}, {other, lite}} {
			from, to := pair[0], pair[1]
			t.Run(from.Name+"→"+to.Name+"→"+from.Name, func(t *testing.T) {
				src := from.Open(t, t.TempDir())
				f := storetest.BuildForum(t, src)
				want := storetest.ExportAll(t, src, 3)
				storetest.CheckPortable(t, want)
				reads := storetest.ForumReads(t, src, f)

				mid := to.Open(t, t.TempDir())
				storetest.ImportAll(t, mid, want, 3)
				got := storetest.ExportAll(t, mid, 3)
				storetest.SameDump(t, "copied to "+to.Name, want, got)
				storetest.SameReads(t, "copied to "+to.Name, reads, storetest.ForumReads(t, mid, f))

				back := from.Open(t, t.TempDir())
				storetest.ImportAll(t, back, got, 4)
				storetest.SameDump(t, "copied back to "+from.Name, want, storetest.ExportAll(t, back, 3))
				storetest.SameReads(t, "copied back to "+from.Name, reads, storetest.ForumReads(t, back, f))
			})
		}
	}
}
