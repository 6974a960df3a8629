package archive

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// sampleDocs are documents with the BSON types the stores write.
func sampleDocs(t *testing.T, n int) []bson.Raw {
	t.Helper()
	var docs []bson.Raw
	for i := range n {
		b, err := bson.Marshal(bson.D{{Key: "_id", Value: "k" + string(rune('a'+i))},
			{Key: "body", Value: "ligne 1\nligne « 2 » <b>&</b>"}, {Key: "n", Value: int64(i)}, {Key: "i", Value: int32(i)},
			{Key: "at", Value: bson.NewDateTimeFromTime(time.UnixMilli(1700000000000 + int64(i)))},
			{Key: "list", Value: bson.A{"a", true, nil, 1.5}}, {Key: "sub", Value: bson.D{{Key: "x", Value: "y"}}},
			{Key: "bin", Value: bson.Binary{Data: []byte{0, 1, 2}}}})
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, b)
	}
	return docs
}

// writeSample writes an archive of two collections and returns its path.
func writeSample(t *testing.T, dir string) (string, []bson.Raw) {
	t.Helper()
	path := filepath.Join(dir, "forum.cfa.gz")
	w, err := Create(path, Header{Engine: "sqlite", CreatedAt: time.Now().UTC(), Consistent: true})
	if err != nil {
		t.Fatal(err)
	}
	docs := sampleDocs(t, 5)
	if err := w.WriteBatch("members", docs[:3]); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteBatch("members", docs[3:]); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteBatch("posts", nil); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteBatch("threads", docs[:1]); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	return path, docs
}

// TestArchiveRoundTrip: documents come back byte for byte, in order, with
// the header and the trailer's counts; the file is the owner's only and no
// temporary file is left.
func TestArchiveRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path, docs := writeSample(t, dir)
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", st.Mode().Perm())
	}
	if _, err := os.Stat(path + ".tmp"); !os.IsNotExist(err) {
		t.Fatalf("temporary file left: %v", err)
	}
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if h := r.Header(); h.Format != Format || h.Version != Version || h.Engine != "sqlite" || !h.Consistent {
		t.Fatalf("header %+v", h)
	}
	var got []bson.Raw
	var colls []string
	for {
		c, batch, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		colls = append(colls, c)
		got = append(got, batch...)
	}
	if strings.Join(colls, ",") != "members,members,threads" {
		t.Fatalf("batches %v", colls)
	}
	want := append(append([]bson.Raw{}, docs...), docs[0])
	if len(got) != len(want) {
		t.Fatalf("%d documents, want %d", len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("document %d: %s, want %s", i, got[i], want[i])
		}
	}
	tr := r.Trailer()
	if tr.Documents != 6 || len(tr.Collections) != 3 || tr.Collections[0] != (CollectionCount{"members", 5}) ||
		tr.Collections[1] != (CollectionCount{"posts", 0}) {
		t.Fatalf("trailer %+v", tr)
	}
}

// rewrite gunzips an archive, changes its text and gzips it again.
func rewrite(t *testing.T, path string, change func(string) string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(gz)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	zw.Write([]byte(change(string(b))))
	zw.Close()
	if err := os.WriteFile(path, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestArchiveRefused: a cut, altered or foreign file is refused by Verify
// with a message that says what is wrong.
func TestArchiveRefused(t *testing.T) {
	dropLast := func(s string) string {
		lines := strings.SplitAfter(strings.TrimSuffix(s, "\n"), "\n")
		return strings.Join(lines[:len(lines)-1], "")
	}
	cases := []struct {
		name   string
		damage func(t *testing.T, path string)
		want   string
	}{
		{"cut in the middle", func(t *testing.T, path string) {
			b, _ := os.ReadFile(path)
			os.WriteFile(path, b[:len(b)*2/3], 0o600)
		}, "tronquée"},
		{"no trailer", func(t *testing.T, path string) { rewrite(t, path, dropLast) }, "tronquée"},
		{"a document lost", func(t *testing.T, path string) {
			rewrite(t, path, func(s string) string {
				return strings.Replace(s, `{"batch":{"collection":"threads","documents":1}}`, `{"batch":{"collection":"threads","documents":2}}`, 1)
			})
		}, "corrompue"},
		{"counts altered", func(t *testing.T, path string) {
			rewrite(t, path, func(s string) string { return strings.Replace(s, `"documents":6}}`, `"documents":7}}`, 1) })
		}, "bilan"},
		{"not gzip", func(t *testing.T, path string) { os.WriteFile(path, []byte("bonjour\n"), 0o600) }, "pas une archive coterforum"},
		{"empty", func(t *testing.T, path string) { os.WriteFile(path, nil, 0o600) }, "pas une archive coterforum"},
		{"foreign gzip", func(t *testing.T, path string) {
			rewrite(t, path, func(string) string { return `{"hello":"world"}` + "\n" })
		}, "pas une archive coterforum"},
		{"later version", func(t *testing.T, path string) {
			rewrite(t, path, func(s string) string { return strings.Replace(s, `"version":1`, `"version":99`, 1) })
		}, "version 99"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path, _ := writeSample(t, t.TempDir())
			tc.damage(t, path)
			_, _, err := Verify(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("Verify: %v, want one line with %q", err, tc.want)
			}
		})
	}
}

// TestArchiveUnwritable: a path that cannot be written is one clear error
// and leaves nothing.
func TestArchiveUnwritable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent", "forum.cfa.gz")
	_, err := Create(path, Header{})
	if err == nil || !strings.Contains(err.Error(), "impossible de créer l'archive") || !strings.Contains(err.Error(), path) {
		t.Fatalf("Create: %v", err)
	}
}

// TestThousands formats counts the French way.
func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1 000", 100000: "100 000", 1234567: "1 234 567", -1500: "-1 500"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
