package awstest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Backdate makes the secret called name read as created (and last changed)
// age earlier than kumo recorded it, in ListSecrets and DescribeSecret
// answers. kumo stamps every secret with the time of its creation and lacks
// RotateSecret, so without this no emulated secret could ever be overdue
// for rotation. The secret itself, its values and versions are kumo's.
func (e *Emulator) Backdate(name string, age time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ages == nil {
		e.ages = map[string]time.Duration{}
	}
	e.ages[name] = age
}

// dateFields are the secret dates Backdate shifts.
var dateFields = []string{"CreatedDate", "LastChangedDate"}

// backdate rewrites the dates of backdated secrets in a Secrets Manager
// answer on its way from kumo to the client.
func (e *Emulator) backdate(resp *http.Response) error {
	e.mu.Lock()
	ages := make(map[string]time.Duration, len(e.ages))
	for k, v := range e.ages {
		ages[k] = v
	}
	e.mu.Unlock()
	target := resp.Request.Header.Get("X-Amz-Target")
	if len(ages) == 0 || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "" ||
		(!strings.HasSuffix(target, ".ListSecrets") && !strings.HasSuffix(target, ".DescribeSecret")) {
		return nil
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&doc); err == nil {
		shift := func(s map[string]any) {
			name, _ := s["Name"].(string)
			age, ok := ages[name]
			if !ok {
				return
			}
			for _, f := range dateFields {
				if n, ok := s[f].(json.Number); ok {
					if v, err := n.Float64(); err == nil {
						s[f] = json.Number(strconv.FormatFloat(v-age.Seconds(), 'f', -1, 64))
					}
				}
			}
		}
		if list, ok := doc["SecretList"].([]any); ok {
			for _, item := range list {
				if s, ok := item.(map[string]any); ok {
					shift(s)
				}
			}
		} else {
			shift(doc)
		}
		if b, err := json.Marshal(doc); err == nil {
			body = b
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return nil
}
