package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"binakerja"
)

// Client is a person on conditional release (PB, CB, CMB) supervised by a
// Bapas, with the episode that ended in that release.
type Client struct {
	*InmateRecord
	Supervisor     string // the Bapas's code
	SupervisorName string
	SupervisorPath string
	Readmitted     bool // a later episode has begun
}

// ClientFilter selects clients: of the Bapas within the given subtrees, or
// of one episode.
type ClientFilter struct {
	Within  []string
	All     bool
	Episode int64
	Person  int64
	Page    Page // by release date, newest first
}

// Clients lists the conditional releases supervised by a Bapas, the latest
// release first.
func (q Queries) Clients(ctx context.Context, f ClientFilter) ([]*Client, string, error) {
	c, err := decodeCursor(f.Page.Cursor)
	if err != nil {
		return nil, "", err
	}
	where := []string{"e.supervisor_id IS NOT NULL"}
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	where, args = scopeClause(where, args, "s.path", f.Within, f.All)
	if f.Episode != 0 {
		where = append(where, "e.id = "+arg(f.Episode))
	}
	if f.Person != 0 {
		where = append(where, "e.person_id = "+arg(f.Person))
	}
	if f.Page.Cursor != "" {
		d, err := binakerja.ParseISODate(c.Key)
		if err != nil {
			return nil, "", binakerja.FieldInvalid("cursor", "page.cursor.invalid")
		}
		k := arg(d)
		where = append(where, "(e.release_date < "+k+" OR (e.release_date = "+k+" AND e.id < "+arg(c.ID)+"))")
	}
	limit := f.Page.limit()
	rows, err := q.q.QueryContext(ctx, `SELECT `+inmateColumns+`, s.code, s.name, s.path,
		EXISTS (SELECT 1 FROM custody_episodes n WHERE n.person_id = e.person_id AND n.admission_date >= e.release_date
			AND n.id <> e.id)`+inmateFrom+` JOIN organizations s ON s.id = e.supervisor_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY e.release_date DESC, e.id DESC LIMIT `+arg(limit+1), args...)
	if err != nil {
		return nil, "", mapError(err)
	}
	return pageOf(rows, limit, func(rows *sql.Rows) (*Client, cursor, error) {
		var cl Client
		r, err := scanInmate(rows, &cl.Supervisor, &cl.SupervisorName, &cl.SupervisorPath, &cl.Readmitted)
		if err != nil {
			return nil, cursor{}, err
		}
		cl.InmateRecord = r
		return &cl, cursor{Key: r.Episode.ReleaseDate.String(), ID: r.Episode.ID}, nil
	})
}

// ClientStatus is where a client's supervision stands on a day.
func (cl *Client) Status(today binakerja.Date) string {
	switch end := cl.Episode.SupervisionEnd(); {
	case cl.Readmitted:
		return "readmitted"
	case !end.IsZero() && today.After(end):
		return "ended"
	}
	return "supervised"
}
