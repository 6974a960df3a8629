package sqlite

import (
	"database/sql"
	"encoding/json"
	"strings"
	"time"
)

// Times are stored as INTEGER milliseconds since the Unix epoch (UTC), the
// precision the forum keeps (forum.Service.Now truncates to it) and the one
// MongoDB stores; optional times are NULL when unset.

// ms is t in milliseconds.
func ms(t time.Time) int64 { return t.UnixMilli() }

// msPtr is an optional time as a column value (nil: NULL).
func msPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMilli()
}

// tm reads a time column.
func tm(v int64) time.Time { return time.UnixMilli(v).UTC() }

// tmPtr reads an optional time column.
func tmPtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := tm(v.Int64)
	return &t
}

// b2i stores a bool.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// jsonText encodes a value stored as JSON text (lists, maps).
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only plain values are stored this way
	}
	return string(b)
}

// strList reads a JSON list of strings (never nil).
func strList(s string) []string {
	out := []string{}
	if s != "" {
		_ = json.Unmarshal([]byte(s), &out)
	}
	return out
}

// placeholders returns "?, ?, …" for n values.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// anys turns strings into query arguments.
func anys(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}
