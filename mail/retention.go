package mail

import (
	"errors"
	"io/fs"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// DefaultKeep is how long a FileSender's .eml files are kept (FORUM_MAIL_KEEP).
const DefaultKeep = 30 * 24 * time.Hour

// Prune deletes the files written before before; it returns how many.
func (f *FileSender) Prune(before time.Time) (int, error) {
	return f.remove(func(e fs.DirEntry) bool {
		t, err := time.Parse(emlTimeLayout, e.Name()[:len(emlTimeLayout)])
		return err == nil && t.Before(before)
	})
}

// EraseRecipient deletes every file of a message to addr (compared without
// case): each copy belongs to its recipient, and goes with their account.
// It returns how many.
func (f *FileSender) EraseRecipient(addr string) (int, error) {
	addr = strings.ToLower(strings.TrimSpace(addr))
	if addr == "" {
		return 0, nil
	}
	return f.remove(func(e fs.DirEntry) bool {
		_, to := f.readHeaders(e.Name())
		list, err := mail.ParseAddressList(to)
		if err != nil {
			return strings.Contains(strings.ToLower(to), addr)
		}
		for _, a := range list {
			if strings.ToLower(a.Address) == addr {
				return true
			}
		}
		return false
	})
}

// remove deletes the files written by the sender that match.
func (f *FileSender) remove(match func(fs.DirEntry) bool) (int, error) {
	entries, err := os.ReadDir(f.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, errorf("lecture du répertoire des courriels impossible : %w", err)
	}
	n := 0
	var errs []error
	for _, e := range entries {
		if !e.Type().IsRegular() || !emlNameRE.MatchString(e.Name()) || !match(e) {
			continue
		}
		switch err := os.Remove(filepath.Join(f.dir, e.Name())); {
		case err == nil:
			n++
		case !errors.Is(err, fs.ErrNotExist):
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return n, errorf("suppression des courriels impossible : %w", err)
	}
	return n, nil
}
