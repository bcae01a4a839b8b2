package store

import (
	"database/sql"
	"encoding/base64"
	"encoding/json"

	"binakerja"
)

// Page asks for one page of a list: at most Limit items after Cursor.
type Page struct {
	Limit  int
	Cursor string
}

// DefaultLimit and MaxLimit bound the size of a page.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

func (p Page) limit() int {
	switch {
	case p.Limit <= 0:
		return DefaultLimit
	case p.Limit > MaxLimit:
		return MaxLimit
	}
	return p.Limit
}

// cursor is the keyset position after which a page starts: the sort key and
// the id of the last item of the previous page.
type cursor struct {
	Key string `json:"k"`
	ID  int64  `json:"i"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	var c cursor
	if s == "" {
		return c, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil {
		return c, binakerja.FieldInvalid("cursor", "page.cursor.invalid")
	}
	return c, nil
}

// pageOf reads one page of items from rows, which the query asked for one
// more than limit: when that extra row is there, the cursor of the next page
// is returned. scan reads an item and its keyset position.
func pageOf[T any](rows *sql.Rows, limit int, scan func(*sql.Rows) (T, cursor, error)) ([]T, string, error) {
	defer rows.Close()
	var out []T
	var last cursor
	for rows.Next() {
		if len(out) == limit {
			return out, last.encode(), nil
		}
		item, c, err := scan(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, item)
		last = c
	}
	return out, "", mapError(rows.Err())
}
