package storetest

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"coterforum/store"
	"coterforum/store/portable"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Dump is a whole forum as portable documents, by collection.
type Dump map[string][]bson.Raw

// ExportAll reads every collection of d in batches of batch documents,
// checking that keys come in strictly increasing byte order, that the
// count and the last key agree with what was read.
func ExportAll(t testing.TB, d store.Dumper, batch int) Dump {
	t.Helper()
	ctx := context.Background()
	out := Dump{}
	for _, c := range store.Collections {
		docs := []bson.Raw{}
		after := ""
		for {
			page, err := d.ExportBatch(ctx, c, after, batch)
			if err != nil {
				t.Fatalf("export %s after %q: %v", c, after, err)
			}
			if len(page) > batch {
				t.Fatalf("export %s: %d documents for a batch of %d", c, len(page), batch)
			}
			for _, doc := range page {
				k, err := portable.KeyOf(doc)
				if err != nil {
					t.Fatalf("export %s: %v", c, err)
				}
				if k <= after {
					t.Fatalf("export %s: key %q after %q: not in byte order", c, k, after)
				}
				after = k
			}
			docs = append(docs, page...)
			if len(page) < batch {
				break
			}
		}
		n, err := d.CountCollection(ctx, c)
		if err != nil || n != int64(len(docs)) {
			t.Fatalf("count %s = %d, %v; exported %d", c, n, err, len(docs))
		}
		last, err := d.LastKey(ctx, c)
		if err != nil || last != after {
			t.Fatalf("last key of %s = %q, %v; exported up to %q", c, last, err, after)
		}
		out[c] = docs
	}
	return out
}

// ImportAll writes a dump into d, collection by collection in the order of
// store.Collections, in batches of batch documents.
func ImportAll(t testing.TB, d store.Dumper, dump Dump, batch int) {
	t.Helper()
	for _, c := range store.Collections {
		docs := dump[c]
		for i := 0; i < len(docs); i += batch {
			if err := d.ImportBatch(context.Background(), c, docs[i:min(i+batch, len(docs))]); err != nil {
				t.Fatalf("import %s: %v", c, err)
			}
		}
	}
}

// Counts returns the number of documents of every collection of d.
func Counts(t testing.TB, d store.Dumper) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, c := range store.Collections {
		n, err := d.CountCollection(context.Background(), c)
		if err != nil {
			t.Fatalf("count %s: %v", c, err)
		}
		out[c] = n
	}
	return out
}

// SameDump fails the test unless the two dumps hold the same documents,
// byte for byte, naming the first differing document of each collection
// with both as extended JSON.
func SameDump(t testing.TB, what string, want, got Dump) {
	t.Helper()
	var diffs []string
	for _, c := range store.Collections {
		w, g := want[c], got[c]
		if len(w) != len(g) {
			diffs = append(diffs, fmt.Sprintf("%s: %d documents, want %d (got keys %v, want %v)", c, len(g), len(w), keys(g), keys(w)))
			continue
		}
		for i := range w {
			if !bytes.Equal(w[i], g[i]) {
				diffs = append(diffs, fmt.Sprintf("%s[%d]:\n got  %s\n want %s", c, i, g[i], w[i]))
				break
			}
		}
	}
	if len(diffs) > 0 {
		t.Fatalf("%s: the dumps differ:\n%s", what, strings.Join(diffs, "\n"))
	}
}

// keys returns the keys of documents (for messages).
func keys(docs []bson.Raw) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i], _ = portable.KeyOf(d)
	}
	return out
}

// CheckPortable fails the test if a document of the dump holds a field an
// engine derives, or if a collection is empty (the forum should have every
// kind of entity).
func CheckPortable(t testing.TB, dump Dump) {
	t.Helper()
	derived := []string{"terms", "title_terms", "seq", "scope_seq", "thread_seq", "thread_published", "thread_theme",
		"thread_types", "published_at", "published_day", "rid"}
	for _, c := range store.Collections {
		if len(dump[c]) == 0 {
			t.Errorf("collection %s is empty", c)
		}
		for _, doc := range dump[c] {
			elems, err := doc.Elements()
			if err != nil {
				t.Fatalf("%s: %v", c, err)
			}
			for _, e := range elems {
				if slices.Contains(derived, e.Key()) {
					t.Errorf("%s: derived field %q in %s", c, e.Key(), doc)
				}
			}
		}
	}
}
