package mongo

import "errors"

// ErrNoSnapshot is returned (wrapped) by Snapshot when the deployment has
// no snapshot reads: a standalone server, or FerretDB (the test double).
var ErrNoSnapshot = errors.New("cette base MongoDB ne permet pas de lecture cohérente (snapshot) : il faut un replica set")
