package forum

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"sync"
	"time"
)

var idState struct {
	sync.Mutex
	last uint64
}

// NewID returns a 24-hex-digit identifier that sorts by creation time:
// 8 bytes of strictly increasing nanoseconds, then 4 random bytes.
func NewID() string {
	idState.Lock()
	n := uint64(time.Now().UnixNano())
	if n <= idState.last {
		n = idState.last + 1
	}
	idState.last = n
	idState.Unlock()
	var b [12]byte
	binary.BigEndian.PutUint64(b[:8], n)
	_, _ = rand.Read(b[8:])
	return hex.EncodeToString(b[:])
}

// ValidID reports whether s has the form of an identifier made by NewID.
func ValidID(s string) bool {
	if len(s) != 24 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
