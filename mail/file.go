package mail

import (
	"bufio"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"mime"
	netmail "net/mail"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// emlTimeLayout is the UTC timestamp that starts every .eml file name; it
// sorts chronologically and contains no character special to file systems.
const emlTimeLayout = "20060102T150405.000000000Z"

// emlNameRE matches exactly the file names produced by FileSender.
var emlNameRE = regexp.MustCompile(`^\d{8}T\d{6}\.\d{9}Z-[0-9a-f]{16}\.eml$`)

// maxHeaderBytes bounds how much of each file List reads to find its headers.
const maxHeaderBytes = 64 << 10

// FileSender "sends" messages by writing them as complete RFC 5322 .eml files
// in a directory, for development or when no SMTP server is configured. It is
// safe for concurrent use.
type FileSender struct {
	dir     string
	from    *netmail.Address
	fromErr error
}

// EmlFile describes one file written by a FileSender.
type EmlFile struct {
	// Name is the file name (no directory), usable with Open.
	Name string
	// Size is the file size in bytes.
	Size int64
	// Time is when the message was written (UTC, from the file name).
	Time time.Time
	// Subject is the decoded subject, empty if the file cannot be parsed.
	Subject string
	// To is the decoded To header, empty if the file cannot be parsed.
	To string
}

// NewFileSender returns a sender writing .eml files named
// "<UTC timestamp>-<random>.eml" in dir (created with mode 0700 on first
// use), with from as sender. An invalid from makes every Send fail; New
// reports it at construction.
func NewFileSender(dir, from string) *FileSender {
	addr, err := parseFrom(from)
	return &FileSender{dir: dir, from: addr, fromErr: err}
}

// Dir returns the directory where the files are written.
func (f *FileSender) Dir() string { return f.dir }

// Send writes m to a new .eml file. The file appears atomically under its
// final name.
func (f *FileSender) Send(ctx context.Context, m Message) error {
	if f.fromErr != nil {
		return f.fromErr
	}
	msg, err := buildMsg(m, f.from)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return errorf("écriture du courriel pour %s annulée : %w", strings.TrimSpace(m.To), err)
	}
	if err := os.MkdirAll(f.dir, 0o700); err != nil {
		return errorf("création du répertoire des courriels impossible : %w", err)
	}
	tmp, err := os.CreateTemp(f.dir, ".tmp-*.eml")
	if err != nil {
		return errorf("écriture du courriel impossible : %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	if _, err := msg.WriteTo(tmp); err != nil {
		_ = tmp.Close()
		return errorf("écriture du courriel impossible : %w", err)
	}
	if err := tmp.Close(); err != nil {
		return errorf("écriture du courriel impossible : %w", err)
	}
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	name := time.Now().UTC().Format(emlTimeLayout) + "-" + hex.EncodeToString(b[:]) + ".eml"
	if err := os.Rename(tmp.Name(), filepath.Join(f.dir, name)); err != nil {
		return errorf("écriture du courriel impossible : %w", err)
	}
	return nil
}

// List returns the files written by the sender, newest first. A missing
// directory yields an empty list.
func (f *FileSender) List() ([]EmlFile, error) {
	entries, err := os.ReadDir(f.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, errorf("lecture du répertoire des courriels impossible : %w", err)
	}
	var files []EmlFile
	for _, e := range entries {
		if !e.Type().IsRegular() || !emlNameRE.MatchString(e.Name()) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		t, _ := time.Parse(emlTimeLayout, e.Name()[:len(emlTimeLayout)])
		file := EmlFile{Name: e.Name(), Size: info.Size(), Time: t}
		file.Subject, file.To = f.readHeaders(e.Name())
		files = append(files, file)
	}
	slices.SortFunc(files, func(a, b EmlFile) int {
		return cmp.Or(b.Time.Compare(a.Time), strings.Compare(b.Name, a.Name))
	})
	return files, nil
}

// readHeaders returns the decoded Subject and To of a file, or empty strings.
func (f *FileSender) readHeaders(name string) (subject, to string) {
	file, err := os.OpenInRoot(f.dir, name)
	if err != nil {
		return "", ""
	}
	defer file.Close()
	msg, err := netmail.ReadMessage(bufio.NewReader(io.LimitReader(file, maxHeaderBytes)))
	if err != nil {
		return "", ""
	}
	dec := new(mime.WordDecoder)
	decode := func(v string) string {
		if d, err := dec.DecodeHeader(v); err == nil {
			return d
		}
		return v
	}
	return decode(msg.Header.Get("Subject")), decode(msg.Header.Get("To"))
}

// Open returns the content of a file written by the sender. It refuses any
// name that is not a plain file name of the form produced by Send, so it
// cannot read outside the directory. A missing file gives an error matching
// fs.ErrNotExist.
func (f *FileSender) Open(name string) ([]byte, error) {
	if !emlNameRE.MatchString(name) {
		return nil, errorf("nom de fichier de courriel invalide %q", name)
	}
	file, err := os.OpenInRoot(f.dir, name)
	if err != nil {
		return nil, errorf("ouverture du courriel %q impossible : %w", name, err)
	}
	defer file.Close()
	if info, err := file.Stat(); err != nil || !info.Mode().IsRegular() {
		return nil, errorf("courriel %q illisible", name)
	}
	data, err := io.ReadAll(file)
	if err != nil {
		return nil, errorf("lecture du courriel %q impossible : %w", name, err)
	}
	return data, nil
}
