package store

import "errors"

// ErrNoSnapshot is returned by Dumper.Snapshot when the deployment has no
// snapshot reads (FerretDB, the test double). Interim declaration for the
// backup and copy commands until the engines' Dumper (branch dump) lands.
var ErrNoSnapshot = errors.New("pas de lecture instantanée (snapshot) sur cette base")
