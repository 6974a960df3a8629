package store

import (
	"coterforum/store/mongo"
	"coterforum/store/portable"
)

// Collections are what a whole forum is made of, in the order a copy or a
// restore writes them (what a document refers to is written before it).
// The change sequence, the search index, the authority-type rows of
// threads and each engine's migration record are not among them: they
// belong to one database and are rebuilt by the engine that imports. The
// document of each collection is described in package store/portable.
var Collections = portable.Collections

// Dumper streams a whole forum out of a store and into another, entity by
// entity, with its ids, as portable documents: BSON documents whose "_id"
// is a string key (byte order on both engines), the same bytes on both
// engines for the same forum (package store/portable). Every Store is one.
type Dumper = portable.Dumper

// ErrNoSnapshot is returned (wrapped) by Snapshot on a MongoDB deployment
// without snapshot reads: a standalone server, or FerretDB.
var ErrNoSnapshot = mongo.ErrNoSnapshot

// ErrUnknownCollection is returned (wrapped) for a collection name not in
// Collections.
var ErrUnknownCollection = portable.ErrUnknownCollection
