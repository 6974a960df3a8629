package archive

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Writer writes an archive to PATH.tmp, renamed to PATH by Commit once it
// is whole and on disk. The file is readable by its owner only: it holds
// password hashes and session ids.
type Writer struct {
	path   string
	tmp    string
	f      *os.File
	buf    *bufio.Writer
	gz     *gzip.Writer
	counts []CollectionCount
	index  map[string]int
	total  int64
}

// Create begins an archive at path with its header.
func Create(path string, h Header) (*Writer, error) {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("impossible de créer l'archive %s : %v", path, pathErrCause(err))
	}
	// A file left by an earlier run keeps its mode: make sure of it.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		os.Remove(tmp)
		return nil, fmt.Errorf("impossible de protéger l'archive %s : %v", path, pathErrCause(err))
	}
	buf := bufio.NewWriterSize(f, 1<<20)
	gz, _ := gzip.NewWriterLevel(buf, gzip.BestSpeed)
	w := &Writer{path: path, tmp: tmp, f: f, buf: buf, gz: gz, index: map[string]int{}}
	h.Format, h.Version = Format, Version
	line, err := marshalLine(h)
	if err == nil {
		_, err = gz.Write(line)
	}
	if err != nil {
		w.Abort()
		return nil, w.writeErr(err)
	}
	return w, nil
}

// WriteBatch appends documents of a collection, each as canonical MongoDB
// Extended JSON on its own line.
func (w *Writer) WriteBatch(collection string, docs []bson.Raw) error {
	i, ok := w.index[collection]
	if !ok {
		i = len(w.counts)
		w.index[collection] = i
		w.counts = append(w.counts, CollectionCount{Name: collection})
	}
	if len(docs) == 0 {
		return nil
	}
	line, err := marshalLine(controlLine{Batch: &batchLine{Collection: collection, Documents: len(docs)}})
	if err != nil {
		return err
	}
	if _, err := w.gz.Write(line); err != nil {
		return w.writeErr(err)
	}
	for _, doc := range docs {
		j, err := bson.MarshalExtJSON(doc, true, false)
		if err != nil {
			return fmt.Errorf("archive : document de %s illisible : %w", collection, err)
		}
		if _, err := w.gz.Write(append(j, '\n')); err != nil {
			return w.writeErr(err)
		}
	}
	w.counts[i].Count += int64(len(docs))
	w.total += int64(len(docs))
	return nil
}

// Commit writes the trailer, flushes the file to disk and renames it to
// its path; it returns the archive's size in bytes.
func (w *Writer) Commit() (int64, error) {
	line, err := marshalLine(controlLine{Trailer: &Trailer{Collections: w.counts, Documents: w.total}})
	if err == nil {
		_, err = w.gz.Write(line)
	}
	if err == nil {
		err = w.gz.Close()
	}
	if err == nil {
		err = w.buf.Flush()
	}
	if err == nil {
		err = w.f.Sync()
	}
	if err != nil {
		w.Abort()
		return 0, w.writeErr(err)
	}
	st, err := w.f.Stat()
	if err != nil {
		w.Abort()
		return 0, w.writeErr(err)
	}
	if err := w.f.Close(); err != nil {
		os.Remove(w.tmp)
		return 0, w.writeErr(err)
	}
	if err := os.Rename(w.tmp, w.path); err != nil {
		os.Remove(w.tmp)
		return 0, w.writeErr(err)
	}
	// The rename itself reaches the disk with its directory.
	if d, err := os.Open(filepath.Dir(w.path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return st.Size(), nil
}

// Counts are the documents written so far, by collection, in order.
func (w *Writer) Counts() []CollectionCount { return w.counts }

// Abort closes and removes the unfinished archive.
func (w *Writer) Abort() {
	w.f.Close()
	os.Remove(w.tmp)
}

func (w *Writer) writeErr(err error) error {
	return fmt.Errorf("écriture de l'archive %s : %v", w.path, pathErrCause(err))
}

// pathErrCause drops the path an *fs.PathError repeats.
func pathErrCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
