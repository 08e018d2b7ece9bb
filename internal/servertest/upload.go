package servertest

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"testing"
)

// UploadTo posts a file as the multipart field "file", with other fields.
func UploadTo(t *testing.T, c *http.Client, url, name, content string, fields map[string]string) (int, []byte) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile("file", name)
	io.WriteString(fw, content)
	w.Close()
	res, err := c.Post(url, w.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// Login returns a client logged in as role (see NewTestServer).
func Login(t *testing.T, url, role string) *http.Client {
	t.Helper()
	c := Client(t)
	if res, _ := PostJSON(t, c, url+"/api/v1/login", `{"username":"`+role+`","password":"password-`+role+`"}`); res.StatusCode != 200 {
		t.Fatalf("login %s = %d", role, res.StatusCode)
	}
	return c
}

// Upload posts a register to POST /api/v1/frames as a multipart upload.
func Upload(t *testing.T, c *http.Client, url, name, content string, fields map[string]string) (int, []byte) {
	t.Helper()
	return UploadTo(t, c, url+"/api/v1/frames", name, content, fields)
}
