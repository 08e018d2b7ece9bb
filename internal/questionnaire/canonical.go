package questionnaire

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// CanonicalJSON renders the definition as compact JSON with a fixed key
// order and every default filled in (languages, built-in options, max_length,
// refused treatment). It is what the tablet receives and what is stored;
// ParseJSON reads it back to an equal definition. Two sources that differ
// only in key order, layout, comments or spelled-out defaults give the same
// bytes.
func (d *Definition) CanonicalJSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// ContentHash returns the lower-case hex SHA-256 of the canonical JSON: the
// identity of a questionnaire version.
func (d *Definition) ContentHash() (string, error) {
	data, err := d.CanonicalJSON()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}
