package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"syscall"

	"coterforum/forum"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// mapErr turns driver errors into domain errors: no row is ErrNotFound, a
// unique constraint is ErrDuplicate, and a database that cannot take a
// write now (full disk, read-only file, locked too long) is ErrUnavailable.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return forum.ErrNotFound
	}
	var se *msqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return forum.ErrDuplicate
		}
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED,
			sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM, sqlite3.SQLITE_NOMEM:
			return fmt.Errorf("%w : %v", forum.ErrUnavailable, err)
		}
	}
	return err
}

// unavailable marks a file system error that means "cannot write here now".
func unavailable(err error) error {
	if errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS) || errors.Is(err, syscall.ENOSPC) {
		return fmt.Errorf("%w : %v", forum.ErrUnavailable, err)
	}
	return err
}
