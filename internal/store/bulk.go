package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"binakerja"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Bulk writes, for imports of hundreds of thousands of rows: a few statements
// for many rows instead of several for each.

// placeholders returns "($1, $2, …), ($n+1, …)" for rows of width
// parameters each, every row ending with the given SQL literals. On SQLite it
// returns plain "?" marks, bound in order: the driver looks up every
// numbered parameter by name, which costs more the more there are.
func (db *DB) placeholders(rows, width int, literals ...string) string {
	var b strings.Builder
	n := 1
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range width {
			if c > 0 {
				b.WriteString(", ")
			}
			if db.engine == SQLite {
				b.WriteByte('?')
				continue
			}
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			n++
		}
		for _, l := range literals {
			b.WriteString(", ")
			b.WriteString(l)
		}
		b.WriteByte(')')
	}
	return b.String()
}

// bulkInsert returns the head of a multi-row INSERT of rows whose ids the
// caller reserved with reserveIDs.
func (db *DB) bulkInsert(table, columns string) string {
	if db.engine == SQLite {
		return "INSERT INTO " + table + " (" + columns + ") VALUES "
	}
	return "INSERT INTO " + table + " (" + columns + ") OVERRIDING SYSTEM VALUE VALUES "
}

// reserveIDs returns n new ids for rows of table. SQLite's writer holds the
// database's only write lock for the whole transaction, so the ids after the
// largest are free; PostgreSQL takes them from the table's identity sequence.
func (tx *Tx) reserveIDs(ctx context.Context, table string, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	if tx.db.engine == SQLite {
		var last int64
		if err := tx.q.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM `+table).Scan(&last); err != nil {
			return nil, mapError(err)
		}
		for i := range int64(n) {
			ids = append(ids, last+1+i)
		}
		return ids, nil
	}
	rows, err := tx.q.QueryContext(ctx, `SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)`,
		table, n)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, mapError(rows.Err())
}

// literal returns v as an SQL literal, for a value every row of a bulk
// insert shares: it is then written once into the statement instead of being
// bound again for each row. Only the types below are taken, so that nothing
// a user typed ever reaches the SQL text.
func literal(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case int64:
		return strconv.FormatInt(v, 10)
	case time.Time:
		return "'" + v.UTC().Format("2006-01-02 15:04:05.999999999-07:00") + "'"
	}
	panic(fmt.Sprintf("store: no literal for %T", v))
}

// PersonsByNIKIndex returns the stored persons among the given blind
// indexes, keyed by the index (as a string).
func (q Queries) PersonsByNIKIndex(ctx context.Context, indexes [][]byte) (map[string]PersonKey, error) {
	out := map[string]PersonKey{}
	if len(indexes) == 0 {
		return out, nil
	}
	args := make([]any, len(indexes))
	for i, ix := range indexes {
		args[i] = ix
	}
	rows, err := q.q.QueryContext(ctx, `SELECT id, uid, nik_index FROM persons WHERE nik_index IN `+
		q.db.placeholders(1, len(indexes)), args...)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k PersonKey
		var ix []byte
		if err := rows.Scan(&k.ID, &k.UID, &ix); err != nil {
			return nil, err
		}
		out[string(ix)] = k
	}
	return out, mapError(rows.Err())
}

// OpenRegistrations returns the registration numbers of the people in
// custody at a facility, each with its episode id.
func (q Queries) OpenRegistrations(ctx context.Context, facilityID int64) (map[string]int64, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT registration_number, id FROM custody_episodes
		WHERE facility_id = $1 AND release_date IS NULL`, facilityID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var regno string
		var id int64
		if err := rows.Scan(&regno, &id); err != nil {
			return nil, err
		}
		out[regno] = id
	}
	return out, mapError(rows.Err())
}

// InmateByEpisode returns the person and episode of an episode id.
func (q Queries) InmateByEpisode(ctx context.Context, episodeID int64) (*InmateRecord, error) {
	return scanInmate(q.q.QueryRowContext(ctx, `SELECT `+inmateColumns+inmateFrom+` WHERE e.id = $1`, episodeID))
}

// NewInmate is a person to add with their first custody episode.
type NewInmate struct {
	Person    binakerja.Person
	UID       string
	NIKSealed []byte
	NIKIndex  []byte
	Episode   binakerja.Episode
}

// bulkRows returns how many rows one multi-row INSERT takes: within both
// engines' limits on bound parameters.
func (db *DB) bulkRows() int {
	if db.engine == SQLite {
		return 64
	}
	return 500
}

// CreateInmates adds people with their first custody episode, many rows to
// a statement, and sets their ids.
func (tx *Tx) CreateInmates(ctx context.Context, facilityID, importID int64, in []NewInmate) error {
	if len(in) == 0 {
		return nil
	}
	personIDs, err := tx.reserveIDs(ctx, "persons", len(in))
	if err != nil {
		return err
	}
	episodeIDs, err := tx.reserveIDs(ctx, "custody_episodes", len(in))
	if err != nil {
		return err
	}
	for i := range in {
		p, e := &in[i].Person, &in[i].Episode
		p.ID, p.CreatedAt, p.UpdatedAt, p.Version = personIDs[i], tx.Now, tx.Now, 1
		e.ID, e.PersonID, e.CreatedAt, e.UpdatedAt, e.Version = episodeIDs[i], p.ID, tx.Now, tx.Now, 1
	}
	if tx.db.engine == Postgres && tx.conn != nil {
		return tx.copyInmates(ctx, facilityID, importID, in)
	}
	for len(in) > 0 {
		n := min(len(in), tx.db.bulkRows())
		if err := tx.createInmates(ctx, facilityID, importID, in[:n]); err != nil {
			return err
		}
		in = in[n:]
	}
	return nil
}

// The columns a bulk write fills for each person and episode from its own
// values (personValues, episodeValues), followed by those every row of an
// import shares.
var (
	personColumns = []string{"id", "uid", "name", "search_name", "nik_cipher", "nik_index", "birth_place",
		"birth_date", "sex", "education", "region_code"}
	personShared   = []string{"created_at", "updated_at"}
	episodeColumns = []string{"id", "person_id", "registration_number", "register_class", "admission_date",
		"sentence_years", "sentence_months", "sentence_days", "expected_release_date", "half_date",
		"two_thirds_date", "milestone_source", "status", "admission_status"}
	episodeShared = []string{"facility_id", "import_id", "created_at", "updated_at"}
)

// personValues and episodeValues append a row's own values in the order of
// personColumns and episodeColumns, each date as date makes it.
func personValues(args []any, n *NewInmate, date func(binakerja.Date) any) []any {
	p := &n.Person
	return append(args, p.ID, n.UID, p.Name, binakerja.SearchKey(p.Name), nullBytes(n.NIKSealed),
		nullBytes(n.NIKIndex), p.BirthPlace, date(p.BirthDate), string(p.Sex), p.Education, p.RegionCode)
}

func episodeValues(args []any, e *binakerja.Episode, date func(binakerja.Date) any) []any {
	return append(args, e.ID, e.PersonID, e.RegistrationNumber, e.RegisterClass, date(e.AdmissionDate),
		e.Sentence.Years, e.Sentence.Months, e.Sentence.Days, date(e.ExpectedRelease), date(e.HalfDate),
		date(e.TwoThirdsDate), e.MilestoneSource, string(e.Status), string(e.Status))
}

func columnList(cols ...[]string) string { return strings.Join(slices.Concat(cols...), ", ") }

func (tx *Tx) createInmates(ctx context.Context, facilityID, importID int64, in []NewInmate) error {
	var imp any
	if importID != 0 {
		imp = importID
	}
	asIs := func(d binakerja.Date) any { return d } // stored by its Value method
	now := literal(tx.Now)
	args := make([]any, 0, len(in)*len(episodeColumns))
	for i := range in {
		args = personValues(args, &in[i], asIs)
	}
	_, err := tx.q.ExecContext(ctx, tx.db.bulkInsert("persons", columnList(personColumns, personShared))+
		tx.db.placeholders(len(in), len(personColumns), now, now), args...)
	if err != nil {
		return mapError(err)
	}
	args = args[:0]
	for i := range in {
		args = episodeValues(args, &in[i].Episode, asIs)
	}
	_, err = tx.q.ExecContext(ctx, tx.db.bulkInsert("custody_episodes", columnList(episodeColumns, episodeShared))+
		tx.db.placeholders(len(in), len(episodeColumns), literal(facilityID), literal(imp), now, now), args...)
	return mapError(err)
}

// copyInmates writes people and their episodes with PostgreSQL's COPY, in
// the transaction of a TransactBulk. (COPY writes the given ids into
// identity columns, as INSERT … OVERRIDING SYSTEM VALUE does.)
func (tx *Tx) copyInmates(ctx context.Context, facilityID, importID int64, in []NewInmate) error {
	var imp any
	if importID != 0 {
		imp = importID
	}
	// COPY encodes a DATE from a time, not from the text Value gives.
	asTime := func(d binakerja.Date) any {
		if d.IsZero() {
			return nil
		}
		return d.Time()
	}
	persons := make([][]any, len(in))
	episodes := make([][]any, len(in))
	for i := range in {
		persons[i] = append(personValues(nil, &in[i], asTime), tx.Now, tx.Now)
		episodes[i] = append(episodeValues(nil, &in[i].Episode, asTime), facilityID, imp, tx.Now, tx.Now)
	}
	return tx.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: COPY needs a pgx connection, not %T", dc)
		}
		if _, err := c.Conn().CopyFrom(ctx, pgx.Identifier{"persons"}, slices.Concat(personColumns, personShared),
			pgx.CopyFromRows(persons)); err != nil {
			return mapError(err)
		}
		_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{"custody_episodes"},
			slices.Concat(episodeColumns, episodeShared), pgx.CopyFromRows(episodes))
		return mapError(err)
	})
}
