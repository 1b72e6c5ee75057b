package storage

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// Encryption at rest. A random 256-bit data key encrypts every value that
// holds personal data with XChaCha20-Poly1305; the data key is itself
// encrypted ("wrapped") with a key derived from the passphrase by Argon2id.
// Changing the passphrase re-wraps the data key only. Each sealed value is
// bound to its bucket and key, so values cannot be swapped between entries
// undetected.

var (
	// ErrPassphraseRequired means the journal is encrypted and no passphrase was given.
	ErrPassphraseRequired = errors.New("storage: the journal is encrypted: a passphrase is needed")
	// ErrWrongPassphrase means the passphrase does not unlock the journal.
	ErrWrongPassphrase = errors.New("storage: wrong passphrase")
	// ErrEmptyPassphrase means an empty passphrase was offered for encryption.
	ErrEmptyPassphrase = errors.New("storage: the passphrase is empty")
)

// KDFParams are Argon2id's cost parameters; they are stored with the
// journal so that the same key is derived on any machine.
type KDFParams struct {
	Time      uint32 `json:"time"`
	MemoryKiB uint32 `json:"memory_kib"`
	Threads   uint8  `json:"threads"`
}

// KDFTarget is how long deriving the key should take on the machine that
// sets the passphrase: slow for someone guessing, bearable once per unlock.
const KDFTarget = 500 * time.Millisecond

// TuneKDF measures Argon2id on this machine with 64 MiB of memory and
// returns parameters that take about target to derive a key. A pass is timed
// at its fastest of four: the first passes in a process pay for touching
// fresh memory (several times a warm pass on a small machine), and the warm
// cost is the one someone guessing passphrases pays.
func TuneKDF(target time.Duration) KDFParams {
	p := KDFParams{Time: 1, MemoryKiB: 64 * 1024, Threads: uint8(min(4, runtime.NumCPU()))}
	one := time.Duration(math.MaxInt64)
	for range 4 {
		start := time.Now()
		argon2.IDKey([]byte("calibration"), make([]byte, 16), p.Time, p.MemoryKiB, p.Threads, 32)
		one = min(one, time.Since(start))
	}
	if one > 0 {
		p.Time = uint32(max(1, min(64, int(target/one))))
	}
	return p
}

// cryptoMeta is what the meta bucket keeps about encryption.
type cryptoMeta struct {
	Algorithm  string    `json:"algorithm"` // "xchacha20poly1305"
	KDF        string    `json:"kdf"`       // "argon2id"
	Params     KDFParams `json:"params"`
	Salt       []byte    `json:"salt"`
	WrappedKey []byte    `json:"wrapped_key"` // nonce ‖ sealed data key
	// Check is the SHA-256 of the record without it (see sum): a damaged
	// record is told apart from a wrong passphrase by it. Records written
	// before it was kept have none, and open as they did.
	Check []byte `json:"check,omitempty"`
	// stored is the record as read from the journal (nil for a new one):
	// its checksum is taken over what was stored, fields this SAMO does not
	// know included, so a record written by a later SAMO still checks.
	stored []byte
}

// sum is the key record's own checksum: SHA-256 of its JSON object (as
// stored, or as m marshals) without the "check" member, its members in
// key order.
func (m cryptoMeta) sum() []byte {
	raw := m.stored
	if raw == nil {
		m.Check = nil
		raw, _ = json.Marshal(m) // a struct of plain fields always marshals
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return nil // not an object: it cannot match any checksum
	}
	delete(members, "check")
	canon, _ := json.Marshal(members) // keys sorted, values as stored (compacted)
	h := sha256.Sum256(canon)
	return h[:]
}

// withCheck returns m, as it will be stored anew, with its checksum.
func (m cryptoMeta) withCheck() cryptoMeta {
	m.stored = nil
	m.Check = m.sum()
	return m
}

const wrapAD = "samo data key v1"

func deriveKEK(pass []byte, salt []byte, p KDFParams) []byte {
	return argon2.IDKey(pass, salt, p.Time, p.MemoryKiB, p.Threads, chacha20poly1305.KeySize)
}

// newCryptoMeta wraps dataKey under a key derived from pass.
func newCryptoMeta(pass, dataKey []byte, p KDFParams) (cryptoMeta, error) {
	if len(pass) == 0 {
		return cryptoMeta{}, ErrEmptyPassphrase
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return cryptoMeta{}, fmt.Errorf("storage: salt: %w", err)
	}
	aead, err := chacha20poly1305.NewX(deriveKEK(pass, salt, p))
	if err != nil {
		return cryptoMeta{}, fmt.Errorf("storage: key cipher: %w", err)
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(dataKey)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return cryptoMeta{}, fmt.Errorf("storage: nonce: %w", err)
	}
	return cryptoMeta{
		Algorithm: "xchacha20poly1305", KDF: "argon2id", Params: p, Salt: salt,
		WrappedKey: aead.Seal(nonce, nonce, dataKey, []byte(wrapAD)),
	}.withCheck(), nil
}

// ErrKeyRecordDamaged means the journal's key record (its encryption
// parameters and wrapped key) fails its own checksum: the passphrase was
// not even tried.
var ErrKeyRecordDamaged = fmt.Errorf("%w: the key record (the encrypted journal's wrapped key) is damaged, so no passphrase can unlock it", ErrDamaged)

// unwrap derives the key from pass and opens the data key; a wrong
// passphrase fails authentication and gives ErrWrongPassphrase. A record
// that fails its own checksum gives ErrKeyRecordDamaged first; one without
// a checksum (written before it was kept) cannot tell the two apart.
func (m cryptoMeta) unwrap(pass []byte) ([]byte, error) {
	if m.Check != nil && !hmac.Equal(m.Check, m.sum()) {
		return nil, fmt.Errorf("%w (its checksum does not match); %s", ErrKeyRecordDamaged, RepairHint)
	}
	if m.Algorithm != "xchacha20poly1305" || m.KDF != "argon2id" {
		return nil, fmt.Errorf("%w: unknown encryption %s/%s", ErrDamaged, m.Algorithm, m.KDF)
	}
	if m.Params.Time == 0 || m.Params.MemoryKiB == 0 || m.Params.Threads == 0 || m.Params.MemoryKiB > 4<<20 || m.Params.Time > 1000 {
		return nil, fmt.Errorf("%w: implausible key-derivation parameters %+v", ErrDamaged, m.Params)
	}
	aead, err := chacha20poly1305.NewX(deriveKEK(pass, m.Salt, m.Params))
	if err != nil {
		return nil, fmt.Errorf("storage: key cipher: %w", err)
	}
	if len(m.WrappedKey) < aead.NonceSize() {
		return nil, fmt.Errorf("%w: wrapped key too short", ErrDamaged)
	}
	key, err := aead.Open(nil, m.WrappedKey[:aead.NonceSize()], m.WrappedKey[aead.NonceSize():], []byte(wrapAD))
	if err != nil {
		return nil, ErrWrongPassphrase
	}
	return key, nil
}

func (m cryptoMeta) marshal() ([]byte, error) { return json.Marshal(m) }

// Value formats: the first byte of every stored value says how the rest is kept.
const (
	formatPlain  byte = 0
	formatSealed byte = 1
)

// codec turns values into their stored form and back. A nil aead means a
// plain journal.
type codec struct {
	aead interface {
		NonceSize() int
		Overhead() int
		Seal(dst, nonce, plaintext, additionalData []byte) []byte
		Open(dst, nonce, ciphertext, additionalData []byte) ([]byte, error)
	}
}

func newCodec(dataKey []byte) (codec, error) {
	if dataKey == nil {
		return codec{}, nil
	}
	aead, err := chacha20poly1305.NewX(dataKey)
	if err != nil {
		return codec{}, fmt.Errorf("storage: data cipher: %w", err)
	}
	return codec{aead: aead}, nil
}

func ad(bucket, key []byte) []byte {
	out := make([]byte, 0, len(bucket)+1+len(key))
	return append(append(append(out, bucket...), 0), key...)
}

// seal returns the stored form of plaintext for bucket/key.
func (c codec) seal(bucket, key, plaintext []byte) ([]byte, error) {
	if c.aead == nil {
		return append([]byte{formatPlain}, plaintext...), nil
	}
	ns := c.aead.NonceSize()
	out := make([]byte, 1+ns, 1+ns+len(plaintext)+c.aead.Overhead())
	out[0] = formatSealed
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("storage: nonce: %w", err)
	}
	return c.aead.Seal(out, out[1:1+ns], plaintext, ad(bucket, key)), nil
}

// open returns the plaintext of a stored value of bucket/key. It never
// panics on damaged input.
func (c codec) open(bucket, key, stored []byte) ([]byte, error) {
	if len(stored) == 0 {
		return nil, fmt.Errorf("%w: %s/%s: empty value", ErrDamaged, bucket, key)
	}
	switch stored[0] {
	case formatPlain:
		if c.aead != nil {
			return nil, fmt.Errorf("%w: %s/%s: a plain value in an encrypted journal", ErrDamaged, bucket, key)
		}
		return stored[1:], nil
	case formatSealed:
		if c.aead == nil {
			return nil, fmt.Errorf("%w: %s/%s: an encrypted value in a plain journal", ErrDamaged, bucket, key)
		}
		ns := c.aead.NonceSize()
		if len(stored) < 1+ns+c.aead.Overhead() {
			return nil, fmt.Errorf("%w: %s/%s: sealed value too short", ErrDamaged, bucket, key)
		}
		pt, err := c.aead.Open(nil, stored[1:1+ns], stored[1+ns:], ad(bucket, key))
		if err != nil {
			return nil, fmt.Errorf("%w: %s/%s: authentication failed", ErrDamaged, bucket, key)
		}
		return pt, nil
	default:
		return nil, fmt.Errorf("%w: %s/%s: unknown value format %d", ErrDamaged, bucket, key, stored[0])
	}
}
