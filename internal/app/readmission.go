package app

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"binakerja"
	"binakerja/internal/importer"
	"binakerja/internal/store"
)

// heldRow is what a row held for review would write: the person's fields and
// the new episode's. It is stored as JSON with the review; it never holds the
// NIK (the review names the person it matched).
type heldRow struct {
	RegistrationNumber string                `json:"registration_number"`
	Name               string                `json:"name"`
	BirthPlace         string                `json:"birth_place,omitempty"`
	BirthDate          binakerja.Date        `json:"birth_date"`
	Sex                binakerja.Sex         `json:"sex,omitempty"`
	Education          string                `json:"education,omitempty"`
	RegionCode         string                `json:"region_code,omitempty"`
	RegisterClass      string                `json:"register_class,omitempty"`
	Admission          binakerja.Date        `json:"admission_date"`
	Sentence           binakerja.Sentence    `json:"sentence"`
	Expected           binakerja.Date        `json:"expected_release_date"`
	Half               binakerja.Date        `json:"half_date"`
	TwoThirds          binakerja.Date        `json:"two_thirds_date"`
	Status             binakerja.LegalStatus `json:"status"`
	Source             string                `json:"milestone_source,omitempty"`
}

func heldFrom(row *importer.Row, source string) heldRow {
	return heldRow{RegistrationNumber: row.RegistrationNumber, Name: row.Name, BirthPlace: row.BirthPlace,
		BirthDate: row.BirthDate, Sex: row.Sex, Education: row.Education, RegionCode: row.RegionCode,
		RegisterClass: row.RegisterClass, Admission: row.Admission, Sentence: row.Sentence, Expected: row.Expected,
		Half: row.Half, TwoThirds: row.TwoThirds, Status: row.Status, Source: source}
}

func (h heldRow) row() *importer.Row {
	return &importer.Row{RegistrationNumber: h.RegistrationNumber, Name: h.Name, BirthPlace: h.BirthPlace,
		BirthDate: h.BirthDate, Sex: h.Sex, Education: h.Education, RegionCode: h.RegionCode,
		RegisterClass: h.RegisterClass, Admission: h.Admission, Sentence: h.Sentence, Expected: h.Expected,
		Half: h.Half, TwoThirds: h.TwoThirds, Status: h.Status}
}

// readmit opens a new custody episode at fac for someone released earlier
// (latest is their last episode), with the row's personal fields. A name the
// row changes is kept as history (why says what changed it: import or
// review). The new episode is linked to the last and typed (a new case, or
// the revocation of a conditional release); the follow-ups still open are
// closed; and their mentors, and the facility that released them when it is
// another, are notified.
func (a *App) readmit(ctx context.Context, tx *store.Tx, latest *store.InmateRecord, row *importer.Row, source string,
	fac *binakerja.Organization, importID int64, why string) (*binakerja.Episode, error) {
	p := latest.Person
	if mergePerson(&p, row) {
		if err := tx.UpdatePerson(ctx, &p, nil, nil); err != nil {
			return nil, err
		}
		if p.Name != latest.Person.Name {
			if err := tx.AddPersonName(ctx, p.ID, latest.Person.Name, why); err != nil {
				return nil, err
			}
		}
	}
	e := episodeFrom(row, source)
	e.PersonID = p.ID
	e.PreviousEpisode = latest.Episode.ID
	e.Readmission = binakerja.ReadmissionAfter(&latest.Episode, e.AdmissionDate)
	if err := tx.CreateEpisode(ctx, &e, fac.ID, importID); err != nil {
		return nil, err
	}
	// The follow-ups after the last release end here: the person came back,
	// and their mentors are told.
	open, _, err := tx.FollowUps(ctx, store.FollowUpFilter{All: true, Person: p.ID, Open: true, Page: store.Page{Limit: store.MaxLimit}})
	if err != nil {
		return nil, err
	}
	if _, err := tx.CloseFollowUps(ctx, p.ID, binakerja.OutcomeReadmitted); err != nil {
		return nil, err
	}
	told := map[string]bool{}
	for _, f := range open {
		if !told[f.Mentor] {
			told[f.Mentor] = true
			if err := a.notify(ctx, tx, f.Mentor, store.NoticeReadmitted, p.ID, ref("episode", e.ID)); err != nil {
				return nil, err
			}
		}
	}
	if latest.Episode.Facility != fac.Code {
		if err := a.notify(ctx, tx, latest.Episode.Facility, store.NoticeReadmittedElsewhere, p.ID, ref("episode", e.ID)); err != nil {
			return nil, err
		}
	}
	return &e, nil
}

// ReviewItem is a re-admission held for review, as its reviewer sees it: the
// row as the file has it, and of the record it matched only what deciding
// needs (see maskName).
type ReviewItem struct {
	ID                 int64
	Version            int
	Facility           string
	FacilityName       string
	FileName           string
	Line               int
	HeldAt             time.Time
	Name               string // the file's
	BirthDate          binakerja.Date
	RegistrationNumber string
	Admission          binakerja.Date
	StoredName         string // the record's, masked
	StoredBirthYear    int    // 0 when the record has no birth date
	NameDiffers        bool
	BirthDateDiffers   bool
}

// maskName shows of a stored name the first letter of each word only:
// "Ahmad Fauzi" is "A*** F***", whatever the words' lengths. With the birth
// year, that is what the reviewer needs to tell a spelling variant, a
// changed name or a typing slip in a date (same initials, same year) from
// another person's NIK (other initials, another year), and the person in
// front of them can say the rest. It is not enough to learn a stranger's
// name by typing their NIK into a file: the full name, the record and its
// history open only once the reviewer confirms the person as the same,
// which the audit trail records and the facility that released them is
// told of.
func maskName(name string) string {
	var words []string
	for _, w := range strings.Fields(name) {
		r, _ := utf8.DecodeRuneInString(w)
		words = append(words, string(r)+"***")
	}
	return strings.Join(words, " ")
}

func reviewItem(r *store.ReadmissionReview) ReviewItem {
	it := ReviewItem{ID: r.ID, Version: r.Version, Facility: r.Facility, FacilityName: r.FacilityName,
		FileName: r.FileName, Line: r.Line, HeldAt: r.UpdatedAt, Name: r.Name, BirthDate: r.BirthDate,
		StoredName:  maskName(r.StoredName),
		NameDiffers: binakerja.SearchKey(r.Name) != binakerja.SearchKey(r.StoredName),
		BirthDateDiffers: !r.BirthDate.IsZero() && !r.StoredBirthDate.IsZero() &&
			!r.BirthDate.Equal(r.StoredBirthDate)}
	if !r.StoredBirthDate.IsZero() {
		it.StoredBirthYear = r.StoredBirthDate.Time().Year()
	}
	var h heldRow
	if json.Unmarshal([]byte(r.RowData), &h) == nil {
		it.RegistrationNumber, it.Admission = h.RegistrationNumber, h.Admission
	}
	return it
}

// ReadmissionReviews lists the re-admissions waiting for review at the
// facilities where the actor may import, newest first.
func (a *App) ReadmissionReviews(ctx context.Context, ac Actor, page store.Page) ([]ReviewItem, string, error) {
	if _, err := a.authorize(ctx, ac, binakerja.ActionInmateWrite, ""); err != nil {
		return nil, "", err
	}
	f := store.ReviewFilter{Status: store.ReviewPending, Page: page}
	f.Within, f.All = a.scope(ac, binakerja.ActionInmateWrite)
	rs, next, err := a.db.ReadmissionReviews(ctx, f)
	if err != nil {
		return nil, "", err
	}
	out := make([]ReviewItem, len(rs))
	for i, r := range rs {
		out[i] = reviewItem(r)
	}
	return out, next, nil
}

// pendingReview authorizes a decision on a review and loads it: a review at
// a facility outside the actor's reach is NotFound, one already decided a
// Conflict.
func (a *App) pendingReview(ctx context.Context, ac Actor, id int64) (string, *store.ReadmissionReview, error) {
	role, err := a.authorize(ctx, ac, binakerja.ActionInmateWrite, "")
	if err != nil {
		return "", nil, err
	}
	r, err := a.db.ReadmissionReview(ctx, id)
	if binakerja.ErrorKind(err) == binakerja.NotFound || (err == nil && !a.canSee(ac, binakerja.ActionInmateWrite, r.FacilityPath)) {
		return "", nil, binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	if err != nil {
		return "", nil, err
	}
	if r.Status != store.ReviewPending {
		return "", nil, binakerja.Errorf(binakerja.Conflict, "review.decided")
	}
	return role, r, nil
}

// ConfirmReadmission confirms a held row as the person it matched: they are
// re-admitted at the review's facility with the row's data, their earlier
// name kept as history, and the facility that released them told. version
// is the review's as the reviewer saw it. It returns the person's id.
func (a *App) ConfirmReadmission(ctx context.Context, ac Actor, id int64, version int) (int64, error) {
	role, r, err := a.pendingReview(ctx, ac, id)
	if err != nil {
		return 0, err
	}
	var h heldRow
	if err := json.Unmarshal([]byte(r.RowData), &h); err != nil {
		return 0, err
	}
	row := h.row()
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		latest, err := tx.Inmate(ctx, r.PersonID)
		if err != nil {
			return err
		}
		// Should the record have moved on since (admitted again somewhere),
		// the review says only that it no longer applies.
		if latest.Episode.Open() || row.Admission.Before(latest.Episode.ReleaseDate) {
			return binakerja.Errorf(binakerja.Conflict, "review.stale")
		}
		switch _, err := tx.OpenEpisodeByRegistration(ctx, r.FacilityID, row.RegistrationNumber); {
		case err == nil:
			return binakerja.Errorf(binakerja.Conflict, "import.registration.taken")
		case binakerja.ErrorKind(err) != binakerja.NotFound:
			return err
		}
		fac := &binakerja.Organization{ID: r.FacilityID, Code: r.Facility}
		if _, err := a.readmit(ctx, tx, latest, row, h.Source, fac, r.ImportID, "review"); err != nil {
			return err
		}
		if err := tx.DecideReadmission(ctx, r.ID, version, store.ReviewConfirmed, ac.label()); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "inmate.readmission.confirm", "person", itoa(r.PersonID), r.Facility,
			map[string]any{"review": r.ID, "import": r.ImportID, "line": r.Line})
	})
	if err != nil {
		return 0, err
	}
	return r.PersonID, nil
}

// RejectReadmission closes a held row as not the person it matched: nothing
// is written to the register.
func (a *App) RejectReadmission(ctx context.Context, ac Actor, id int64, version int) error {
	role, r, err := a.pendingReview(ctx, ac, id)
	if err != nil {
		return err
	}
	return a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.DecideReadmission(ctx, r.ID, version, store.ReviewRejected, ac.label()); err != nil {
			return err
		}
		return a.record(ctx, tx, ac, role, "inmate.readmission.reject", "person", itoa(r.PersonID), r.Facility,
			map[string]any{"review": r.ID, "import": r.ImportID, "line": r.Line})
	})
}
