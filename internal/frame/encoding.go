package frame

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// sniffSize is how much of the input is examined to detect the format,
// encoding and delimiter.
const sniffSize = 64 << 10

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
	zipMagic   = []byte("PK\x03\x04")
	oleMagic   = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// peek returns up to sniffSize bytes without consuming them.
func peek(br *bufio.Reader) ([]byte, error) {
	b, err := br.Peek(sniffSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return b, err
	}
	return b, nil
}

// decodeText wraps br so that it yields UTF-8 without a byte order mark, and
// reports the encoding it chose.
func decodeText(br *bufio.Reader, enc Encoding) (io.Reader, Encoding, error) {
	head, err := peek(br)
	if err != nil {
		return nil, enc, err
	}
	switch {
	case bytes.HasPrefix(head, bomUTF8) && (enc == EncodingAuto || enc == EncodingUTF8):
		_, _ = br.Discard(len(bomUTF8))
		return br, EncodingUTF8, nil
	case (bytes.HasPrefix(head, bomUTF16LE) || bytes.HasPrefix(head, bomUTF16BE)) &&
		(enc == EncodingAuto || enc == EncodingUTF16):
		enc = EncodingUTF16
	case enc == EncodingAuto:
		enc = EncodingUTF8
		if !validUTF8Prefix(head, len(head) == sniffSize) {
			enc = EncodingGB18030
		}
	}
	switch enc {
	case EncodingGB18030:
		return transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder()), enc, nil
	case EncodingUTF16:
		// The BOM, if any, decides the byte order and is removed.
		dec := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()
		return transform.NewReader(br, dec), enc, nil
	}
	return br, EncodingUTF8, nil
}

// validUTF8Prefix reports whether b is valid UTF-8, allowing the last rune to
// be cut off when b is only a prefix of the input.
func validUTF8Prefix(b []byte, truncated bool) bool {
	if truncated {
		// Back up to the start of the last rune; drop it if incomplete.
		i := len(b) - 1
		for i > 0 && i > len(b)-utf8.UTFMax && !utf8.RuneStart(b[i]) {
			i--
		}
		if i >= 0 && !utf8.FullRune(b[i:]) {
			b = b[:i]
		}
	}
	return utf8.Valid(b)
}

// sniffComma picks the most frequent of ',', '\t' and ';' outside quotes in
// the decoded head of the file, preferring ',' on ties and when none occurs.
func sniffComma(head []byte) rune {
	var n [3]int
	quoted := false
	for _, c := range head {
		switch c {
		case '"':
			quoted = !quoted
		case ',':
			if !quoted {
				n[0]++
			}
		case '\t':
			if !quoted {
				n[1]++
			}
		case ';':
			if !quoted {
				n[2]++
			}
		}
	}
	switch {
	case n[1] > n[0] && n[1] >= n[2]:
		return '\t'
	case n[2] > n[0] && n[2] > n[1]:
		return ';'
	}
	return ','
}
