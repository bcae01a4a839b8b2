package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"binakerja"
)

// PoolFilter selects the people considered for a vacancy: in custody at one
// of the facilities with a release due by DueBy, or released from one of
// them since ReleasedSince (and not admitted again).
type PoolFilter struct {
	Facilities    []int64 // nil with All for every facility
	All           bool
	DueBy         binakerja.Date
	ReleasedSince binakerja.Date
}

// poolWhere returns the condition on e (their latest episode) of the pool.
func poolWhere(f PoolFilter, args []any) (string, []any) {
	var cond []string
	if !f.All {
		if len(f.Facilities) == 0 {
			return "1 = 0", args
		}
		var ph []string
		for _, id := range f.Facilities {
			args = append(args, id)
			ph = append(ph, "$"+strconv.Itoa(len(args)))
		}
		cond = append(cond, "e.facility_id IN ("+strings.Join(ph, ", ")+")")
	}
	args = append(args, f.DueBy, f.ReleasedSince)
	n := len(args)
	cond = append(cond, `((e.release_date IS NULL AND e.status IN ('TAHANAN', 'NARAPIDANA', 'ANAK_TAHANAN', 'ANAK_BINAAN')
		AND e.expected_release_date <= $`+strconv.Itoa(n-1)+`)
		OR (e.release_date >= $`+strconv.Itoa(n)+` AND e.release_reason <> 'MENINGGAL'
		AND `+latestEpisode+`))`)
	return strings.Join(cond, " AND "), args
}

// candidateColumns are what matching reads of a person and their latest
// episode.
const candidateColumns = `p.id, p.name, p.region_code, e.status, e.expected_release_date, e.release_date,
	e.release_reason, e.offence_group,
	COALESCE((SELECT c.given FROM consents c WHERE c.person_id = p.id AND c.scope = 'EMPLOYER_PROPOSALS'
		ORDER BY c.date DESC, c.id DESC LIMIT 1), FALSE),
	(EXISTS (SELECT 1 FROM applications a WHERE a.person_id = p.id AND a.status = 'HIRED')
		OR EXISTS (SELECT 1 FROM placements pl WHERE pl.person_id = p.id AND pl.end_date IS NULL AND pl.kind <> 'INTERNSHIP'))`

func scanCandidate(rows *sql.Rows) (*binakerja.CandidateFacts, error) {
	var c binakerja.CandidateFacts
	var status binakerja.LegalStatus
	var due, released binakerja.Date
	var reason binakerja.ReleaseReason
	if err := rows.Scan(&c.PersonID, &c.Name, &c.RegionCode, &status, &due, &released, &reason, &c.Offence,
		&c.Consented, &c.Placed); err != nil {
		return nil, mapError(err)
	}
	c.InCustody = released.IsZero()
	c.AvailableFrom = due
	if !c.InCustody {
		c.AvailableFrom = released
	}
	c.Convicted = status != binakerja.StatusDetainee && status != binakerja.StatusChildDetainee &&
		reason != binakerja.ReleaseAcquitted
	return &c, nil
}

// EvidenceHolders returns everyone with evidence of one of the units, with
// that evidence: the people a vacancy's ranking is decided among.
func (q Queries) EvidenceHolders(ctx context.Context, units []string, today binakerja.Date) (map[int64]*binakerja.CandidateFacts, error) {
	byID := map[int64]*binakerja.CandidateFacts{}
	return byID, q.addEvidence(ctx, byID, units, today, -1)
}

// InPool completes the facts of the people of byID who are in the pool
// (consent, placement, offence group, region, availability) and returns
// them; the others are left out.
func (q Queries) InPool(ctx context.Context, f PoolFilter, byID map[int64]*binakerja.CandidateFacts) ([]*binakerja.CandidateFacts, error) {
	ids := make([]int64, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var out []*binakerja.CandidateFacts
	for chunk := range slices.Chunk(ids, 500) {
		where, args := poolWhere(f, nil)
		var ph []string
		for _, id := range chunk {
			args = append(args, id)
			ph = append(ph, "$"+strconv.Itoa(len(args)))
		}
		rows, err := q.q.QueryContext(ctx, `SELECT `+candidateColumns+` FROM custody_episodes e JOIN persons p ON p.id = e.person_id
			WHERE e.person_id IN (`+strings.Join(ph, ", ")+`) AND `+where, args...)
		if err != nil {
			return nil, mapError(err)
		}
		for rows.Next() {
			c, err := scanCandidate(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			if held := byID[c.PersonID]; held != nil && held.Name == "" {
				c.Units = held.Units
				*held = *c
				out = append(out, held)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, mapError(err)
		}
	}
	return out, nil
}

// PoolFill returns up to n people of the pool who consented and were not
// placed, leaving out those in skip, the soonest available first: the
// candidates shown after those with evidence, as training to offer.
func (q Queries) PoolFill(ctx context.Context, f PoolFilter, skip map[int64]*binakerja.CandidateFacts, n int) ([]*binakerja.CandidateFacts, error) {
	if n <= 0 {
		return nil, nil
	}
	var out []*binakerja.CandidateFacts
	consented := `COALESCE((SELECT c.given FROM consents c WHERE c.person_id = p.id AND c.scope = 'EMPLOYER_PROPOSALS'
		ORDER BY c.date DESC, c.id DESC LIMIT 1), FALSE)`
	// The released first (available now), most recent first; then those in
	// custody by their release date. Each reads its own index.
	for _, part := range []struct{ cond, order string }{
		{`e.release_date >= $%d AND e.release_reason <> 'MENINGGAL' AND ` + latestEpisode, `e.release_date DESC`},
		{`e.release_date IS NULL AND e.status IN ('TAHANAN', 'NARAPIDANA', 'ANAK_TAHANAN', 'ANAK_BINAAN')
			AND e.expected_release_date <= $%d`, `e.expected_release_date`},
	} {
		var args []any
		var where []string
		if !f.All {
			if len(f.Facilities) == 0 {
				return nil, nil
			}
			var ph []string
			for _, id := range f.Facilities {
				args = append(args, id)
				ph = append(ph, "$"+strconv.Itoa(len(args)))
			}
			where = append(where, "e.facility_id IN ("+strings.Join(ph, ", ")+")")
		}
		if strings.HasPrefix(part.cond, "e.release_date >=") {
			args = append(args, f.ReleasedSince)
		} else {
			args = append(args, f.DueBy)
		}
		where = append(where, fmt.Sprintf(part.cond, len(args)), consented+` = TRUE`,
			`NOT EXISTS (SELECT 1 FROM applications a WHERE a.person_id = p.id AND a.status = 'HIRED')`,
			`NOT EXISTS (SELECT 1 FROM placements pl WHERE pl.person_id = p.id AND pl.end_date IS NULL AND pl.kind <> 'INTERNSHIP')`)
		args = append(args, n+len(skip))
		rows, err := q.q.QueryContext(ctx, `SELECT `+candidateColumns+` FROM custody_episodes e JOIN persons p ON p.id = e.person_id
			WHERE `+strings.Join(where, " AND ")+` ORDER BY `+part.order+` LIMIT $`+strconv.Itoa(len(args)), args...)
		if err != nil {
			return nil, mapError(err)
		}
		for rows.Next() && len(out) < n {
			c, err := scanCandidate(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			if skip[c.PersonID] == nil {
				out = append(out, c)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, mapError(err)
		}
		if len(out) >= n {
			break
		}
	}
	return out, nil
}

// PersonEvidence returns one person's evidence of the units.
func (q Queries) PersonEvidence(ctx context.Context, personID int64, units []string, today binakerja.Date) (*binakerja.CandidateFacts, error) {
	c := &binakerja.CandidateFacts{PersonID: personID}
	return c, q.addEvidence(ctx, map[int64]*binakerja.CandidateFacts{personID: c}, units, today, personID)
}

// PeopleEvidence returns the evidence of the units of the people of ids.
func (q Queries) PeopleEvidence(ctx context.Context, ids []int64, units []string, today binakerja.Date) (map[int64]*binakerja.CandidateFacts, error) {
	byID := map[int64]*binakerja.CandidateFacts{}
	for _, id := range ids {
		byID[id] = &binakerja.CandidateFacts{PersonID: id}
	}
	return byID, q.addEvidence(ctx, byID, units, today, 0)
}

// addEvidence adds to the people of byID their evidence of the units: valid
// certificates, K results and completed training (of one person only, when
// personID is more than 0; of anyone, added to byID, when it is -1; else of
// the people of byID).
func (q Queries) addEvidence(ctx context.Context, byID map[int64]*binakerja.CandidateFacts, units []string, today binakerja.Date, personID int64) error {
	if (len(byID) == 0 && personID >= 0) || len(units) == 0 {
		return nil
	}
	var ph []string
	var uargs []any
	for _, u := range units {
		uargs = append(uargs, u)
		ph = append(ph, "$"+strconv.Itoa(len(uargs)))
	}
	in := "(" + strings.Join(ph, ", ") + ")"
	uargs = append(uargs, today)
	todayArg := "$" + strconv.Itoa(len(uargs))
	// The people asked about, as integers written into the query (they
	// are ids, never input): one, those of byID, or anyone.
	var who string
	switch {
	case personID > 0:
		who = strconv.FormatInt(personID, 10)
	case personID == 0 && len(byID) <= 1000:
		ids := make([]string, 0, len(byID))
		for id := range byID {
			ids = append(ids, strconv.FormatInt(id, 10))
		}
		who = strings.Join(ids, ", ")
	}
	one := func(col string) string {
		if who == "" {
			return ""
		}
		return " AND " + col + " IN (" + who + ")"
	}
	evidence := []struct {
		ev    binakerja.Evidence
		query string
	}{
		{binakerja.EvidenceCertificate, `SELECT c.person_id, su.unit_code, s.kkni_level FROM scheme_units su
			JOIN certificates c ON c.scheme_id = su.scheme_id JOIN schemes s ON s.id = su.scheme_id
			WHERE su.unit_code IN ` + in + ` AND c.status = 'AKTIF' AND c.expires_on >= ` + todayArg + one("c.person_id")},
		{binakerja.EvidenceAssessed, `SELECT r.person_id, r.unit_code, s.kkni_level FROM assessment_results r
			JOIN assessments a ON a.id = r.assessment_id JOIN cohorts co ON co.id = a.cohort_id
			JOIN programs pr ON pr.id = co.program_id JOIN schemes s ON s.id = pr.scheme_id
			WHERE r.unit_code IN ` + in + ` AND r.result = 'K' AND a.date <= ` + todayArg + one("r.person_id")},
		{binakerja.EvidenceTraining, `SELECT en.person_id, su.unit_code, s.kkni_level FROM scheme_units su
			JOIN programs pr ON pr.scheme_id = su.scheme_id JOIN cohorts co ON co.program_id = pr.id
			JOIN enrollments en ON en.cohort_id = co.id JOIN schemes s ON s.id = su.scheme_id
			WHERE su.unit_code IN ` + in + ` AND en.status = 'LULUS' AND co.start_date <= ` + todayArg + one("en.person_id")},
	}
	for _, e := range evidence {
		rows, err := q.q.QueryContext(ctx, e.query, uargs...)
		if err != nil {
			return mapError(err)
		}
		for rows.Next() {
			var id int64
			var unit string
			var level int
			if err := rows.Scan(&id, &unit, &level); err != nil {
				rows.Close()
				return mapError(err)
			}
			c := byID[id]
			if c == nil && personID == -1 {
				c = &binakerja.CandidateFacts{PersonID: id}
				byID[id] = c
			}
			if c != nil {
				c.Add(unit, e.ev, level)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return mapError(err)
		}
	}
	return nil
}

// PoolBaseline selects the candidates a match ranks, the people of the pool
// with a K result in one of the units, with their unit results, in one
// plain query, and counts the rows: the floor that matching is measured
// against.
func (q Queries) PoolBaseline(ctx context.Context, f PoolFilter, units []string) (int, error) {
	where, args := poolWhere(f, nil)
	var ph []string
	for _, u := range units {
		args = append(args, u)
		ph = append(ph, "$"+strconv.Itoa(len(args)))
	}
	rows, err := q.q.QueryContext(ctx, `SELECT p.id, p.name, p.region_code, e.expected_release_date, r.unit_code, r.result
		FROM assessment_results r JOIN custody_episodes e ON e.person_id = r.person_id JOIN persons p ON p.id = e.person_id
		WHERE r.unit_code IN (`+strings.Join(ph, ", ")+`) AND `+where, args...)
	if err != nil {
		return 0, mapError(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id int64
		var name, region string
		var due binakerja.Date
		var unit, result string
		if err := rows.Scan(&id, &name, &region, &due, &unit, &result); err != nil {
			return 0, mapError(err)
		}
		n++
	}
	return n, mapError(rows.Err())
}

// CreateConsent records a consent given or withdrawn, with an optional scan
// of the signed form.
func (tx *Tx) CreateConsent(ctx context.Context, c *binakerja.Consent, form []byte, formType string) error {
	c.CreatedAt = tx.Now
	err := tx.q.QueryRowContext(ctx, `INSERT INTO consents (person_id, scope, given, date, recorded_by, note,
		form_sha256, form, form_type, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		c.PersonID, c.Scope, c.Given, c.Date, c.RecordedBy, c.Note, c.FormSHA256, form, formType, tx.Now).Scan(&c.ID)
	return mapError(err)
}

// Consents returns a person's consent records, newest first.
func (q Queries) Consents(ctx context.Context, personID int64) ([]binakerja.Consent, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, person_id, scope, given, date, recorded_by, note, form_sha256,
		created_at FROM consents WHERE person_id = $1 ORDER BY date DESC, id DESC`, personID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []binakerja.Consent
	for rows.Next() {
		var c binakerja.Consent
		if err := rows.Scan(&c.ID, &c.PersonID, &c.Scope, &c.Given, &c.Date, &c.RecordedBy, &c.Note, &c.FormSHA256,
			&c.CreatedAt); err != nil {
			return nil, mapError(err)
		}
		c.CreatedAt = c.CreatedAt.UTC()
		out = append(out, c)
	}
	return out, mapError(rows.Err())
}

// CustodyFacts returns the offence group and last disciplinary record of an
// episode.
func (q Queries) CustodyFacts(ctx context.Context, episodeID int64) (binakerja.CustodyFacts, error) {
	var f binakerja.CustodyFacts
	err := q.q.QueryRowContext(ctx, `SELECT offence_group, last_discipline FROM custody_episodes WHERE id = $1`,
		episodeID).Scan(&f.Offence, &f.LastDiscipline)
	return f, mapError(err)
}

// SetCustodyFacts writes the offence group and last disciplinary record of an
// episode.
func (tx *Tx) SetCustodyFacts(ctx context.Context, episodeID int64, f binakerja.CustodyFacts) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE custody_episodes SET offence_group = $1, last_discipline = $2,
		updated_at = $3 WHERE id = $4`, f.Offence, f.LastDiscipline, tx.Now, episodeID)
	return mapError(err)
}

// HiredCount returns how many people a vacancy has hired.
func (q Queries) HiredCount(ctx context.Context, vacancyID int64) (int, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM applications WHERE vacancy_id = $1 AND status = 'HIRED'`,
		vacancyID).Scan(&n)
	return n, mapError(err)
}
