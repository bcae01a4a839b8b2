package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"binakerja"
)

// recordedBy writes the conditions that keep a fact reader to what had
// been recorded before a cut, as one more argument; with no cut, every
// condition is empty and every expression the current value.
type recordedBy struct{ n string }

func newRecordedBy(cut time.Time, args *[]any) recordedBy {
	if cut.IsZero() {
		return recordedBy{}
	}
	*args = append(*args, cut)
	return recordedBy{"$" + strconv.Itoa(len(*args))}
}

// before is " AND col < cut".
func (r recordedBy) before(col string) string {
	if r.n == "" {
		return ""
	}
	return " AND " + col + " < " + r.n
}

// enrollmentStatus is an enrolment's status as last recorded before the cut.
func (r recordedBy) enrollmentStatus(en string) string {
	if r.n == "" {
		return en + ".status"
	}
	return `coalesce((SELECT s.status FROM enrollment_statuses s WHERE s.enrollment_id = ` + en + `.id
		AND s.created_at < ` + r.n + ` ORDER BY s.id DESC LIMIT 1), ` + en + `.status)`
}

// releaseKnown holds when an episode's release had been recorded before the
// cut: its first status after release (or, without one, the episode itself).
func (r recordedBy) releaseKnown(e string) string {
	if r.n == "" {
		return e + ".release_date IS NOT NULL"
	}
	return "(" + e + ".release_date IS NOT NULL AND " + releaseRecorded(e) + " < " + r.n + ")"
}

// stamp scans an instant that SQLite answers as text when it comes from an
// expression rather than a column (NULL: the zero time).
type stamp time.Time

func (s *stamp) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*s = stamp{}
	case time.Time:
		*s = stamp(v)
	case string:
		t, err := time.Parse("2006-01-02 15:04:05.999999999-07:00", v)
		if err != nil {
			return err
		}
		*s = stamp(t)
	default:
		return fmt.Errorf("store: an instant of type %T", v)
	}
	return nil
}

// releaseRecorded is when an episode's release was recorded: its first
// status after release or, without one, the episode's creation.
func releaseRecorded(e string) string {
	return `coalesce((SELECT min(s.created_at) FROM episode_statuses s WHERE s.episode_id = ` + e + `.id
		AND s.status IN ('BEBAS', 'KLIEN', 'MENINGGAL')), ` + e + `.created_at)`
}

// ifBefore is col when stamp is before the cut, and otherwise NULL.
func (r recordedBy) ifBefore(stamp, col string) string {
	if r.n == "" {
		return col
	}
	return "CASE WHEN " + stamp + " < " + r.n + " THEN " + col + " END"
}

// certificateStatus is a certificate's status before the cut: only a
// suspension, revocation or replacement changes a certificate, so one
// changed after the cut was still valid.
func (r recordedBy) certificateStatus() string {
	if r.n == "" {
		return "status"
	}
	return "CASE WHEN updated_at < " + r.n + " THEN status ELSE 'AKTIF' END"
}

// FunnelScope selects the cohorts a funnel counts: those whose end date
// lies in [From, To], run at a facility under Path or by a training
// provider under Path (empty Path: the nation), of one programme when
// Program is set.
type FunnelScope struct {
	Path     string
	Program  string
	From, To binakerja.Date
	ByStart  bool // the cohorts starting in [From, To] instead
	// Cut, when set, counts only what had been recorded before it: a
	// figure as of a past day (zero: everything recorded so far).
	Cut time.Time
}

// FunnelEnrolment is one counted enrolment.
type FunnelEnrolment struct {
	PersonID     int64
	Status       binakerja.EnrollmentStatus
	Scheme       int64
	CohortStart  binakerja.Date
	CohortEnd    binakerja.Date
	Facility     string // the cohort's facility
	FacilityName string
	Program      string // the cohort's programme
	ProgramTitle string
	Sex          string         // the person's: L, P or empty
	BirthDate    binakerja.Date // zero when unknown
}

// FunnelCertificate is a certificate of a counted person.
type FunnelCertificate struct {
	PersonID int64
	Scheme   int64
	IssuedOn binakerja.Date
	Status   binakerja.CertificateStatus
	Recorded time.Time
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
	col := "c.end_date"
	if s.ByStart {
		col = "c.start_date"
	}
	rb := newRecordedBy(s.Cut, &args)
	status := rb.enrollmentStatus("en")
	where := col + ` >= $1 AND ` + col + ` <= $2 AND ` + status + ` NOT IN ('DIBATALKAN', 'DAFTAR_TUNGGU')` +
		rb.before("en.created_at") + rb.before("c.created_at")
	if s.Path != "" {
		args = append(args, binakerja.EscapeLike(s.Path)+"%")
		n := "$" + strconv.Itoa(len(args))
		where += ` AND (f.path LIKE ` + n + ` ESCAPE '\' OR pv.path LIKE ` + n + ` ESCAPE '\')`
	}
	if s.Program != "" {
		args = append(args, s.Program)
		where += ` AND pr.code = $` + strconv.Itoa(len(args))
	}
	part := `SELECT en.person_id, ` + status + `, pr.scheme_id, c.start_date, c.end_date, f.code, f.name, pr.code, pr.title,
		ps.sex, ps.birth_date
		FROM enrollments en JOIN cohorts c ON c.id = en.cohort_id JOIN programs pr ON pr.id = c.program_id
		JOIN persons ps ON ps.id = en.person_id
		JOIN organizations f ON f.id = c.facility_id JOIN organizations pv ON pv.id = pr.provider_id
		WHERE ` + where
	people := `SELECT DISTINCT p.person_id FROM (` + part + `) p`
	var out FunnelFacts
	var err error
	out.Enrolments, err = rowsOf(ctx, q, part, args, func(scan func(...any) error, e *FunnelEnrolment) error {
		var status string
		if err := scan(&e.PersonID, &status, &e.Scheme, &e.CohortStart, &e.CohortEnd, &e.Facility, &e.FacilityName,
			&e.Program, &e.ProgramTitle, &e.Sex, &e.BirthDate); err != nil {
			return err
		}
		e.Status = binakerja.EnrollmentStatus(status)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out.Enrolments) == 0 {
		return &out, nil
	}
	if out.Certificates, err = certificatesOf(ctx, q, people, args, rb); err != nil {
		return nil, err
	}
	out.Releases, err = rowsOf(ctx, q, `SELECT e.person_id, e.release_date, e.release_reason FROM custody_episodes e
		WHERE `+rb.releaseKnown("e")+` AND e.person_id IN (`+people+`)`, args,
		func(scan func(...any) error, r *FunnelRelease) error {
			var reason string
			if err := scan(&r.PersonID, &r.Date, &reason); err != nil {
				return err
			}
			r.Reason = binakerja.ReleaseReason(reason)
			return nil
		})
	if err != nil {
		return nil, err
	}
	out.Placements, err = rowsOf(ctx, q, `SELECT person_id, kind, start_date FROM placements WHERE person_id IN (`+people+`)`+
		rb.before("created_at"), args,
		func(scan func(...any) error, p *FunnelPlacement) error {
			var kind string
			if err := scan(&p.PersonID, &kind, &p.Start); err != nil {
				return err
			}
			p.Kind = binakerja.PlacementKind(kind)
			return nil
		})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// rowsOf runs a query and reads every row into a T with read.
func rowsOf[T any](ctx context.Context, q Queries, query string, args []any, read func(scan func(...any) error, t *T) error) ([]T, error) {
	var out []T
	err := each(ctx, q, query, args, func(scan func(...any) error) error {
		var t T
		if err := read(scan, &t); err != nil {
			return err
		}
		out = append(out, t)
		return nil
	})
	return out, err
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

// ReleaseScope selects the releases the catalogue's after-release metrics
// follow: qualifying releases (end of sentence, PB, CB, CMB) in [From, To]
// from a facility under Path, handed over to a mentor under it, or of
// someone trained by a provider under it (empty: the nation).
type ReleaseScope struct {
	Path     string
	From, To binakerja.Date
	Cut      time.Time // as in FunnelScope
}

// ReleaseEpisode is one custody episode of a person released in scope.
type ReleaseEpisode struct {
	PersonID    int64
	EpisodeID   int64
	Admission   binakerja.Date
	Release     binakerja.Date // zero while open
	Reason      binakerja.ReleaseReason
	Readmission binakerja.ReadmissionKind
	Previous    int64
	InScope     bool      // released from a facility in scope
	Recorded    time.Time // when the release was recorded (zero while open)
	// What the programme effect (P1) matches on.
	Offence                       string
	SentenceYears, SentenceMonths int
	SentenceDays                  int
	Sex, Education, Region        string // the person's
	BirthDate                     binakerja.Date
}

// ReleasePlacement is a placement of a person released in scope.
type ReleasePlacement struct {
	PersonID    int64
	Kind        binakerja.PlacementKind
	Start, End  binakerja.Date
	Partner     bool // with a partner employer, or through an application
	PartTime    bool
	Application bool
	WageBand    string
	Recorded    time.Time
}

// ReleaseFollowUp is a follow-up recorded for a person released in scope.
type ReleaseFollowUp struct {
	PersonID  int64
	Contact   binakerja.Date
	Contacted bool
	Outcome   binakerja.Outcome
	Recorded  time.Time
}

// ReleaseTraining is an enrolment of a person released in scope.
type ReleaseTraining struct {
	PersonID int64
	Status   binakerja.EnrollmentStatus
	End      binakerja.Date
}

// ReleaseFacts are the records the release cohort's metrics are computed
// from: every episode of the people released in scope (to find the index
// release and any return), and their placements, follow-ups, certificates,
// completed internships and enrolments.
type ReleaseFacts struct {
	Episodes     []ReleaseEpisode
	Placements   []ReleasePlacement
	FollowUps    []ReleaseFollowUp
	Certificates []FunnelCertificate
	Internships  []FunnelRelease // the person and the day a completed internship ended
	Training     []ReleaseTraining
}

// ReleaseFacts reads the facts of the people released in scope, each kind
// in one query.
func (q Queries) ReleaseFacts(ctx context.Context, s ReleaseScope) (*ReleaseFacts, error) {
	args := []any{s.From, s.To}
	rb := newRecordedBy(s.Cut, &args)
	known := rb.releaseKnown("e")
	where := `e.release_date >= $1 AND e.release_date <= $2 AND e.release_reason IN ('HABIS_MASA_PIDANA', 'PB', 'CB', 'CMB')
		AND ` + known
	if s.Path != "" {
		args = append(args, binakerja.EscapeLike(s.Path)+"%")
		n := "$" + strconv.Itoa(len(args))
		where += ` AND (f.path LIKE ` + n + ` ESCAPE '\' OR e.id IN (SELECT h.episode_id FROM handovers h
			JOIN organizations m ON m.id = h.mentor_id WHERE m.path LIKE ` + n + ` ESCAPE '\'` + rb.before("h.handed_at") + `)
			OR e.person_id IN (SELECT en.person_id FROM enrollments en JOIN cohorts c ON c.id = en.cohort_id
				JOIN programs pr ON pr.id = c.program_id JOIN organizations pv ON pv.id = pr.provider_id
				WHERE pv.path LIKE ` + n + ` ESCAPE '\' AND en.status NOT IN ('DIBATALKAN', 'DAFTAR_TUNGGU')` + rb.before("en.created_at") + `))`
	}
	// The releases in scope, and so their people, once; every other query
	// reads the facts of that set of people.
	inScope := map[int64]bool{}
	var ids []int64
	err := each(ctx, q, `SELECT e.id, e.person_id FROM custody_episodes e JOIN organizations f ON f.id = e.facility_id WHERE `+where,
		args, func(scan func(...any) error) error {
			var id, person int64
			if err := scan(&id, &person); err != nil {
				return err
			}
			ids = append(ids, person)
			inScope[id] = true
			return nil
		})
	var out ReleaseFacts
	if err != nil || len(inScope) == 0 {
		return &out, err
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var args2 []any
	rb2 := newRecordedBy(s.Cut, &args2)
	known2 := rb2.releaseKnown("e")
	people := q.idSet(&args2, ids)
	out.Episodes, err = rowsOf(ctx, q, `SELECT e.person_id, e.id, e.admission_date, CASE WHEN `+known2+` THEN e.release_date END,
		e.release_reason, e.readmission, coalesce(e.previous_episode_id, 0),
		CASE WHEN `+known2+` THEN `+releaseRecorded("e")+` END, e.offence_group, e.sentence_years, e.sentence_months,
		e.sentence_days, p.sex, p.education, coalesce(f.region_code, ''), p.birth_date
		FROM custody_episodes e JOIN persons p ON p.id = e.person_id JOIN organizations f ON f.id = e.facility_id WHERE e.person_id IN (`+people+`)`+rb2.before("e.created_at"), args2, func(scan func(...any) error, e *ReleaseEpisode) error {
		var reason, readmission string
		var recorded stamp
		if err := scan(&e.PersonID, &e.EpisodeID, &e.Admission, &e.Release, &reason, &readmission, &e.Previous,
			&recorded, &e.Offence, &e.SentenceYears, &e.SentenceMonths, &e.SentenceDays, &e.Sex, &e.Education, &e.Region,
			&e.BirthDate); err != nil {
			return err
		}
		e.Reason, e.Readmission, e.Recorded = binakerja.ReleaseReason(reason), binakerja.ReadmissionKind(readmission), time.Time(recorded)
		e.InScope = inScope[e.EpisodeID]
		return nil
	})
	if err != nil || len(out.Episodes) == 0 {
		return &out, err
	}
	out.Placements, err = rowsOf(ctx, q, `SELECT person_id, kind, start_date, `+rb2.ifBefore("ended_at", "end_date")+`,
		employer_id IS NOT NULL OR application_id IS NOT NULL, part_time, application_id IS NOT NULL,
		wage_band, created_at FROM placements WHERE person_id IN (`+people+`)`+rb2.before("created_at"), args2,
		func(scan func(...any) error, p *ReleasePlacement) error {
			var kind string
			if err := scan(&p.PersonID, &kind, &p.Start, &p.End, &p.Partner, &p.PartTime, &p.Application, &p.WageBand, &p.Recorded); err != nil {
				return err
			}
			p.Kind = binakerja.PlacementKind(kind)
			return nil
		})
	if err != nil {
		return nil, err
	}
	out.FollowUps, err = rowsOf(ctx, q, `SELECT person_id, contact_date, contacted, outcome, updated_at FROM followups
		WHERE status = 'DONE' AND person_id IN (`+people+`)`+rb2.before("updated_at"), args2, func(scan func(...any) error, f *ReleaseFollowUp) error {
		var outcome string
		if err := scan(&f.PersonID, &f.Contact, &f.Contacted, &outcome, &f.Recorded); err != nil {
			return err
		}
		f.Outcome = binakerja.Outcome(outcome)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if out.Certificates, err = certificatesOf(ctx, q, people, args2, rb2); err != nil {
		return nil, err
	}
	out.Internships, err = rowsOf(ctx, q, `SELECT person_id, end_date FROM internships WHERE status = 'COMPLETED' AND person_id IN (`+people+`)`+
		rb2.before("updated_at"), args2,
		func(scan func(...any) error, r *FunnelRelease) error {
			if err := scan(&r.PersonID, &r.Date); err != nil {
				return err
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	out.Training, err = rowsOf(ctx, q, `SELECT en.person_id, `+rb2.enrollmentStatus("en")+`, c.end_date FROM enrollments en
		JOIN cohorts c ON c.id = en.cohort_id WHERE en.person_id IN (`+people+`)`+rb2.before("en.created_at"), args2, func(scan func(...any) error, t *ReleaseTraining) error {
		var status string
		if err := scan(&t.PersonID, &status, &t.End); err != nil {
			return err
		}
		t.Status = binakerja.EnrollmentStatus(status)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// idSet is a subquery of the ids given, as one argument: a JSON array on
// SQLite, an array on PostgreSQL.
func (q Queries) idSet(args *[]any, ids []int64) string {
	n := "$" + strconv.Itoa(len(*args)+1)
	if q.db.engine == Postgres {
		*args = append(*args, ids)
		return "SELECT unnest(" + n + "::bigint[])"
	}
	b, _ := json.Marshal(ids)
	*args = append(*args, string(b))
	return "SELECT value FROM json_each(" + n + ")"
}

// certificatesOf reads the certificates of the people a query selects.
func certificatesOf(ctx context.Context, q Queries, people string, args []any, rb recordedBy) ([]FunnelCertificate, error) {
	return rowsOf(ctx, q, `SELECT person_id, scheme_id, issued_on, `+rb.certificateStatus()+`, created_at FROM certificates
		WHERE person_id IN (`+people+`)`+rb.before("created_at"), args,
		func(scan func(...any) error, c *FunnelCertificate) error {
			var status string
			if err := scan(&c.PersonID, &c.Scheme, &c.IssuedOn, &status, &c.Recorded); err != nil {
				return err
			}
			c.Status = binakerja.CertificateStatus(status)
			return nil
		})
}

// Within is the facts of the cohorts ending (or, byStart, starting) in
// [from, to] of a wider reading: the same people's other facts, fewer
// enrolments.
func (f *FunnelFacts) Within(from, to binakerja.Date, byStart bool) *FunnelFacts {
	out := *f
	out.Enrolments = nil
	for _, e := range f.Enrolments {
		day := e.CohortEnd
		if byStart {
			day = e.CohortStart
		}
		if !day.Before(from) && !day.After(to) {
			out.Enrolments = append(out.Enrolments, e)
		}
	}
	return &out
}

// Within is the facts of the releases in [from, to] of a wider reading:
// the episodes released then stay in scope, the others only tell the story.
func (f *ReleaseFacts) Within(from, to binakerja.Date) *ReleaseFacts {
	out := *f
	out.Episodes = make([]ReleaseEpisode, len(f.Episodes))
	for i, e := range f.Episodes {
		e.InScope = e.InScope && !e.Release.Before(from) && !e.Release.After(to)
		out.Episodes[i] = e
	}
	return &out
}

// FunnelBaseline counts the first three figures of the funnel (people
// enrolled, completed, certified within 90 days of their cohort's end)
// in one plain aggregation over the raw tables: the floor that the
// funnel is measured against, and a check that it counts the same.
func (q Queries) FunnelBaseline(ctx context.Context, s FunnelScope) (participants, completed, certified int, err error) {
	deadline := "date(c.end_date, '+90 days')"
	if q.db.engine == Postgres {
		deadline = "c.end_date + 90"
	}
	args := []any{s.From, s.To}
	where := `c.end_date >= $1 AND c.end_date <= $2 AND en.status NOT IN ('DIBATALKAN', 'DAFTAR_TUNGGU')`
	if s.Path != "" {
		args = append(args, binakerja.EscapeLike(s.Path)+"%")
		where += ` AND (f.path LIKE $3 ESCAPE '\' OR pv.path LIKE $3 ESCAPE '\')`
	}
	err = q.q.QueryRowContext(ctx, `SELECT count(DISTINCT en.person_id),
		count(DISTINCT CASE WHEN en.status = 'LULUS' THEN en.person_id END),
		count(DISTINCT CASE WHEN en.status = 'LULUS' AND EXISTS (SELECT 1 FROM certificates ce WHERE ce.person_id = en.person_id
			AND ce.scheme_id = pr.scheme_id AND ce.status <> 'DICABUT' AND ce.issued_on <= `+deadline+`) THEN en.person_id END)
		FROM enrollments en JOIN cohorts c ON c.id = en.cohort_id JOIN programs pr ON pr.id = c.program_id
		JOIN organizations f ON f.id = c.facility_id JOIN organizations pv ON pv.id = pr.provider_id
		WHERE `+where, args...).Scan(&participants, &completed, &certified)
	return participants, completed, certified, mapError(err)
}
