package archive

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"coterforum/store"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Reader reads an archive batch by batch. Only a whole archive (its
// trailer read and agreeing with its batches) ends with io.EOF; a cut or
// altered one ends with an error that says so.
type Reader struct {
	path    string
	f       *os.File
	gz      *gzip.Reader
	buf     *bufio.Reader
	line    int
	header  Header
	trailer *Trailer
	counts  map[string]int64
	total   int64
}

// Open opens an archive and reads its header: a file that is not a
// coterforum archive, or of a later format version, is refused.
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("impossible de lire l'archive %s : %v", path, pathErrCause(err))
	}
	r := &Reader{path: path, f: f, counts: map[string]int64{}}
	gz, err := gzip.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		f.Close()
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%s n'est pas une archive coterforum (fichier vide ou tronqué)", path)
		}
		return nil, fmt.Errorf("%s n'est pas une archive coterforum (pas au format gzip)", path)
	}
	r.gz = gz
	r.buf = bufio.NewReaderSize(gz, 1<<20)
	line, err := r.readLine()
	if err != nil {
		r.Close()
		return nil, err
	}
	if err := json.Unmarshal(line, &r.header); err != nil || r.header.Format != Format {
		r.Close()
		return nil, fmt.Errorf("%s n'est pas une archive coterforum (en-tête inconnu)", path)
	}
	if r.header.Version > Version || r.header.Version < 1 {
		r.Close()
		return nil, fmt.Errorf("%s : archive au format version %d, que ce programme ne sait pas lire (version %d) : utilisez une version plus récente de coterforum",
			path, r.header.Version, Version)
	}
	return r, nil
}

// Header is the archive's first line.
func (r *Reader) Header() Header { return r.header }

// Trailer is the archive's last line, once Next has returned io.EOF.
func (r *Reader) Trailer() Trailer { return *r.trailer }

// Next returns the next batch of documents of a collection, and io.EOF
// after a whole archive's trailer.
func (r *Reader) Next() (collection string, docs []bson.Raw, err error) {
	if r.trailer != nil {
		return "", nil, io.EOF
	}
	line, err := r.readLine()
	if err != nil {
		return "", nil, err
	}
	var c controlLine
	if err := json.Unmarshal(line, &c); err != nil || (c.Batch == nil) == (c.Trailer == nil) {
		return "", nil, r.corrupt("ligne inattendue")
	}
	if c.Trailer != nil {
		return "", nil, r.finish(c.Trailer)
	}
	b := c.Batch
	if b.Documents <= 0 || b.Documents > 1<<20 {
		return "", nil, r.corrupt("lot de taille invalide")
	}
	if !slices.Contains(store.Collections, b.Collection) {
		return "", nil, fmt.Errorf("archive %s : collection inconnue %q (archive d'une version plus récente ?)", r.path, b.Collection)
	}
	docs = make([]bson.Raw, 0, b.Documents)
	for range b.Documents {
		line, err := r.readLine()
		if err != nil {
			return "", nil, err
		}
		var doc bson.Raw
		if err := bson.UnmarshalExtJSON(line, true, &doc); err != nil {
			return "", nil, r.corrupt("document illisible")
		}
		if _, err := doc.LookupErr("_id"); err != nil {
			return "", nil, r.corrupt("document sans _id")
		}
		docs = append(docs, doc)
	}
	r.counts[b.Collection] += int64(len(docs))
	r.total += int64(len(docs))
	return b.Collection, docs, nil
}

// finish checks the trailer against the batches read, and that nothing
// follows it.
func (r *Reader) finish(t *Trailer) error {
	if t.Documents != r.total {
		return r.corrupt(fmt.Sprintf("le bilan annonce %d documents, l'archive en contient %d", t.Documents, r.total))
	}
	seen := map[string]bool{}
	for _, c := range t.Collections {
		if r.counts[c.Name] != c.Count {
			return r.corrupt(fmt.Sprintf("le bilan annonce %d documents dans %s, l'archive en contient %d", c.Count, c.Name, r.counts[c.Name]))
		}
		seen[c.Name] = true
	}
	for name := range r.counts {
		if !seen[name] {
			return r.corrupt(fmt.Sprintf("%s absente du bilan", name))
		}
	}
	if _, err := r.buf.ReadByte(); err == nil {
		return r.corrupt("données après le bilan")
	} else if !errors.Is(err, io.EOF) {
		return r.readErr(err)
	}
	r.trailer = t
	return io.EOF
}

// readLine reads one line, without its newline.
func (r *Reader) readLine() ([]byte, error) {
	line, err := r.buf.ReadBytes('\n')
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("archive %s tronquée : elle s'arrête avant son bilan final (ligne %d)", r.path, r.line+1)
		}
		return nil, r.readErr(err)
	}
	r.line++
	return bytes.TrimSuffix(line, []byte{'\n'}), nil
}

func (r *Reader) readErr(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("archive %s tronquée : le fichier s'arrête au milieu (ligne %d)", r.path, r.line+1)
	}
	if errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) {
		return fmt.Errorf("archive %s corrompue : %v (ligne %d)", r.path, err, r.line+1)
	}
	return fmt.Errorf("lecture de l'archive %s : %v", r.path, pathErrCause(err))
}

func (r *Reader) corrupt(what string) error {
	return fmt.Errorf("archive %s corrompue : %s (ligne %d)", r.path, what, r.line)
}

// Close closes the file.
func (r *Reader) Close() error {
	if r.gz != nil {
		r.gz.Close()
	}
	return r.f.Close()
}

// Verify reads a whole archive without writing anything and returns its
// header and trailer, or the reason it cannot be restored.
func Verify(path string) (Header, Trailer, error) {
	r, err := Open(path)
	if err != nil {
		return Header{}, Trailer{}, err
	}
	defer r.Close()
	for {
		_, _, err := r.Next()
		if errors.Is(err, io.EOF) {
			return r.Header(), r.Trailer(), nil
		}
		if err != nil {
			return Header{}, Trailer{}, err
		}
	}
}
