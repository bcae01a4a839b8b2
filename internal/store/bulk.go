package store

import (
	"context"
	"strconv"
	"strings"

	"binakerja"
)

// Bulk writes, for imports of hundreds of thousands of rows: a few statements
// for many rows instead of several for each.

// placeholders returns "($1, $2, …), ($n+1, …)" for rows of width columns.
// On SQLite it returns plain "?" marks, bound in order: the driver looks up
// every numbered parameter by name, which costs more the more there are.
func (db *DB) placeholders(rows, width int) string {
	if db.engine == SQLite {
		row := "(" + strings.Repeat("?, ", width-1) + "?)"
		return strings.Repeat(row+", ", rows-1) + row
	}
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
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			n++
		}
		b.WriteByte(')')
	}
	return b.String()
}

// PersonsByNIKIndex returns the stored persons among the given blind
// indexes, keyed by the index (as a string).
func (q Queries) PersonsByNIKIndex(ctx context.Context, indexes [][]byte) (map[string]PersonKey, error) {
	out := map[string]PersonKey{}
	if len(indexes) == 0 {
		return out, nil
	}
	args := make([]any, len(indexes))
	marks := make([]string, len(indexes))
	for i, ix := range indexes {
		args[i], marks[i] = ix, "$"+strconv.Itoa(i+1)
	}
	rows, err := q.q.QueryContext(ctx, `SELECT id, uid, nik_index FROM persons WHERE nik_index IN (`+
		strings.Join(marks, ", ")+`)`, args...)
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
// engines' limits on bound parameters, and small on SQLite, whose driver
// looks each parameter up by name in a list (a cost that grows with the
// square of the parameters).
func (db *DB) bulkRows() int {
	if db.engine == SQLite {
		return 64
	}
	return 500
}

// CreateInmates adds people with their first custody episode and its first
// status, many rows to a statement, and sets their ids.
func (tx *Tx) CreateInmates(ctx context.Context, facilityID, importID int64, in []NewInmate) error {
	for len(in) > 0 {
		n := min(len(in), tx.db.bulkRows())
		if err := tx.createInmates(ctx, facilityID, importID, in[:n]); err != nil {
			return err
		}
		in = in[n:]
	}
	return nil
}

func (tx *Tx) createInmates(ctx context.Context, facilityID, importID int64, in []NewInmate) error {
	var imp any
	if importID != 0 {
		imp = importID
	}
	args := make([]any, 0, len(in)*12)
	byUID := make(map[string]*NewInmate, len(in))
	for i := range in {
		p := &in[i].Person
		p.CreatedAt, p.UpdatedAt, p.Version = tx.Now, tx.Now, 1
		args = append(args, in[i].UID, p.Name, binakerja.SearchKey(p.Name), nullBytes(in[i].NIKSealed),
			nullBytes(in[i].NIKIndex), p.BirthPlace, p.BirthDate, string(p.Sex), p.Education, p.RegionCode, tx.Now, tx.Now)
		byUID[in[i].UID] = &in[i]
	}
	rows, err := tx.q.QueryContext(ctx, `INSERT INTO persons (uid, name, search_name, nik_cipher, nik_index,
		birth_place, birth_date, sex, education, region_code, created_at, updated_at) VALUES `+
		tx.db.placeholders(len(in), 12)+` RETURNING id, uid`, args...)
	if err != nil {
		return mapError(err)
	}
	for rows.Next() {
		var id int64
		var uid string
		if err := rows.Scan(&id, &uid); err != nil {
			rows.Close()
			return err
		}
		byUID[uid].Person.ID = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return mapError(err)
	}

	args = args[:0]
	byPerson := make(map[int64]*NewInmate, len(in))
	for i := range in {
		e := &in[i].Episode
		e.PersonID, e.CreatedAt, e.UpdatedAt, e.Version = in[i].Person.ID, tx.Now, tx.Now, 1
		args = append(args, e.PersonID, facilityID, e.RegistrationNumber, e.RegisterClass, e.AdmissionDate,
			e.Sentence.Years, e.Sentence.Months, e.Sentence.Days, e.ExpectedRelease, e.HalfDate, e.TwoThirdsDate,
			e.MilestoneSource, string(e.Status), imp, tx.Now, tx.Now)
		byPerson[e.PersonID] = &in[i]
	}
	rows, err = tx.q.QueryContext(ctx, `INSERT INTO custody_episodes (person_id, facility_id, registration_number,
		register_class, admission_date, sentence_years, sentence_months, sentence_days, expected_release_date,
		half_date, two_thirds_date, milestone_source, status, import_id, created_at, updated_at) VALUES `+
		tx.db.placeholders(len(in), 16)+` RETURNING id, person_id`, args...)
	if err != nil {
		return mapError(err)
	}
	for rows.Next() {
		var id, pid int64
		if err := rows.Scan(&id, &pid); err != nil {
			rows.Close()
			return err
		}
		byPerson[pid].Episode.ID = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return mapError(err)
	}

	args = args[:0]
	for i := range in {
		e := &in[i].Episode
		args = append(args, e.ID, string(e.Status), e.AdmissionDate, "admission", tx.Now)
	}
	_, err = tx.q.ExecContext(ctx, `INSERT INTO episode_statuses (episode_id, status, date, reason, created_at) VALUES `+
		tx.db.placeholders(len(in), 5), args...)
	return mapError(err)
}
