package store

import (
	"context"
	"strconv"

	"binakerja"
)

// FunnelScope selects the cohorts a funnel counts: those whose end date
// lies in [From, To], run at a facility under Path or by a training
// provider under Path (empty Path: the nation), of one programme when
// Program is set.
type FunnelScope struct {
	Path     string
	Program  string
	From, To binakerja.Date
}

// FunnelEnrolment is one counted enrolment.
type FunnelEnrolment struct {
	PersonID    int64
	Status      binakerja.EnrollmentStatus
	Scheme      int64
	CohortStart binakerja.Date
	CohortEnd   binakerja.Date
}

// FunnelCertificate is a certificate of a counted person.
type FunnelCertificate struct {
	PersonID int64
	Scheme   int64
	IssuedOn binakerja.Date
	Status   binakerja.CertificateStatus
}

// FunnelRelease is an ended custody episode of a counted person.
type FunnelRelease struct {
	PersonID int64
	Date     binakerja.Date
	Reason   binakerja.ReleaseReason
}

// FunnelPlacement is a placement of a counted person.
type FunnelPlacement struct {
	PersonID int64
	Kind     binakerja.PlacementKind
	Start    binakerja.Date
}

// FunnelFacts are the records the funnel of metrics.md is computed from:
// the enrolments counted (not cancelled, not left on the waiting list) and,
// of the people enrolled, their certificates, releases and placements.
type FunnelFacts struct {
	Enrolments   []FunnelEnrolment
	Certificates []FunnelCertificate
	Releases     []FunnelRelease
	Placements   []FunnelPlacement
}

// FunnelFacts reads the facts of a funnel, each kind in one query over the
// people the scope enrols.
func (q Queries) FunnelFacts(ctx context.Context, s FunnelScope) (*FunnelFacts, error) {
	args := []any{s.From, s.To}
	where := `c.end_date >= $1 AND c.end_date <= $2 AND en.status NOT IN ('DIBATALKAN', 'DAFTAR_TUNGGU')`
	if s.Path != "" {
		args = append(args, binakerja.EscapeLike(s.Path)+"%")
		n := "$" + strconv.Itoa(len(args))
		where += ` AND (f.path LIKE ` + n + ` ESCAPE '\' OR pv.path LIKE ` + n + ` ESCAPE '\')`
	}
	if s.Program != "" {
		args = append(args, s.Program)
		where += ` AND pr.code = $` + strconv.Itoa(len(args))
	}
	part := `SELECT en.person_id, en.status, pr.scheme_id, c.start_date, c.end_date
		FROM enrollments en JOIN cohorts c ON c.id = en.cohort_id JOIN programs pr ON pr.id = c.program_id
		JOIN organizations f ON f.id = c.facility_id JOIN organizations pv ON pv.id = pr.provider_id
		WHERE ` + where
	people := `SELECT DISTINCT p.person_id FROM (` + part + `) p`
	var out FunnelFacts
	err := each(ctx, q, part, args, func(scan func(...any) error) error {
		var e FunnelEnrolment
		var status string
		if err := scan(&e.PersonID, &status, &e.Scheme, &e.CohortStart, &e.CohortEnd); err != nil {
			return err
		}
		e.Status = binakerja.EnrollmentStatus(status)
		out.Enrolments = append(out.Enrolments, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out.Enrolments) == 0 {
		return &out, nil
	}
	err = each(ctx, q, `SELECT person_id, scheme_id, issued_on, status FROM certificates WHERE person_id IN (`+people+`)`, args,
		func(scan func(...any) error) error {
			var c FunnelCertificate
			var status string
			if err := scan(&c.PersonID, &c.Scheme, &c.IssuedOn, &status); err != nil {
				return err
			}
			c.Status = binakerja.CertificateStatus(status)
			out.Certificates = append(out.Certificates, c)
			return nil
		})
	if err != nil {
		return nil, err
	}
	err = each(ctx, q, `SELECT person_id, release_date, release_reason FROM custody_episodes
		WHERE release_date IS NOT NULL AND person_id IN (`+people+`)`, args,
		func(scan func(...any) error) error {
			var r FunnelRelease
			var reason string
			if err := scan(&r.PersonID, &r.Date, &reason); err != nil {
				return err
			}
			r.Reason = binakerja.ReleaseReason(reason)
			out.Releases = append(out.Releases, r)
			return nil
		})
	if err != nil {
		return nil, err
	}
	err = each(ctx, q, `SELECT person_id, kind, start_date FROM placements WHERE person_id IN (`+people+`)`, args,
		func(scan func(...any) error) error {
			var p FunnelPlacement
			var kind string
			if err := scan(&p.PersonID, &kind, &p.Start); err != nil {
				return err
			}
			p.Kind = binakerja.PlacementKind(kind)
			out.Placements = append(out.Placements, p)
			return nil
		})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// each runs a query and calls fn for every row with the row's Scan.
func each(ctx context.Context, q Queries, query string, args []any, fn func(scan func(...any) error) error) error {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return mapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return err
		}
	}
	return mapError(rows.Err())
}
