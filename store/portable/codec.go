package portable

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sort"

	"coterforum/digest"
	"coterforum/forum"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// derived lists, by collection, the fields of a domain type that an engine
// derives: Encode leaves them out.
func derived(collection string) []string {
	switch collection {
	case "threads":
		return []string{"title_terms"}
	case "posts":
		return []string{"terms", "seq"}
	}
	return nil
}

// Encode returns the portable document of v, a pointer to the Go type of
// the collection's documents (see the package comment). A thread without
// authority types gets an empty list (SQLite cannot tell nil from empty).
func Encode(collection string, v any) (bson.Raw, error) {
	if t, ok := v.(*forum.Thread); ok && t.AuthorityTypes == nil {
		t.AuthorityTypes = []string{}
	}
	b, err := bson.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("document de %s : %w", collection, err)
	}
	drop := derived(collection)
	if len(drop) == 0 {
		return b, nil
	}
	return without(b, drop)
}

// without returns the document without the top-level fields named in drop.
func without(doc bson.Raw, drop []string) (bson.Raw, error) {
	elems, err := doc.Elements()
	if err != nil {
		return nil, err
	}
	out := make([]byte, 4, len(doc))
	for _, e := range elems {
		k, err := e.KeyErr()
		if err != nil {
			return nil, err
		}
		if !slices.Contains(drop, k) {
			out = append(out, e...)
		}
	}
	out = append(out, 0)
	binary.LittleEndian.PutUint32(out, uint32(len(out)))
	return out, nil
}

// Decode decodes a portable document into a value of its Go type.
func Decode[T any](collection string, doc bson.Raw) (T, error) {
	var v T
	if err := bson.Unmarshal(doc, &v); err != nil {
		return v, fmt.Errorf("document de %s illisible : %w", collection, err)
	}
	return v, nil
}

// KeyOf returns the key of a portable document (its string _id).
func KeyOf(doc bson.Raw) (string, error) {
	v, err := doc.LookupErr("_id")
	if err != nil {
		return "", fmt.Errorf("document sans _id : %w", err)
	}
	k, ok := v.StringValueOK()
	if !ok {
		return "", fmt.Errorf("document dont l'_id n'est pas une chaîne (%s)", v.Type)
	}
	return k, nil
}

// OutboxOf returns the portable form of an outbox message and its body
// (nil: none).
func OutboxOf(m digest.OutboxMessage, body *digest.MessageBody) *Outbox {
	m.Body = nil
	o := &Outbox{OutboxMessage: m}
	if body != nil {
		o.Body = &Body{Text: body.Text, HTML: body.HTML, MessageID: body.MessageID}
		names := make([]string, 0, len(body.Headers))
		for k := range body.Headers {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			o.Body.Headers = append(o.Body.Headers, bson.E{Key: k, Value: body.Headers[k]})
		}
	}
	return o
}

// Message returns the outbox message with its body (nil when it has none),
// as the digest package knows them.
func (o *Outbox) Message() digest.OutboxMessage {
	m := o.OutboxMessage
	m.Body = nil
	if o.Body != nil {
		b := &digest.MessageBody{ID: m.ID, Text: o.Body.Text, HTML: o.Body.HTML, MessageID: o.Body.MessageID}
		for _, e := range o.Body.Headers {
			if b.Headers == nil {
				b.Headers = map[string]string{}
			}
			s, _ := e.Value.(string)
			b.Headers[e.Key] = s
		}
		m.Body = b
	}
	return m
}
