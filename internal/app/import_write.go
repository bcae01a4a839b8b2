package app

import (
	"context"
	"encoding/json"
	"strings"

	"binakerja"
	"binakerja/internal/importer"
	"binakerja/internal/store"
)

// importWriter matches and writes the valid rows of an import inside its
// transaction, a batch at a time, as prepareRows hands them over: the NIKs of
// a batch are looked up in one query, and the new people of a batch are
// inserted a few statements for many rows. Every conflict is checked before writing, so that no
// statement fails inside the transaction (which PostgreSQL would not
// survive).
type importWriter struct {
	a        *App
	tx       *store.Tx
	ctx      context.Context
	ac       Actor
	fac      *binakerja.Organization
	rep      *ImportReport
	importID int64
	h        *importer.Header
	// regnos maps the registration numbers open at the facility before the
	// import, and those it gave to people it updated or re-admitted, to
	// their episode ids. The people it adds need no entry: a file repeats no
	// number (the reader rejects both rows), so no later row can meet
	// theirs. Its keys are copies: a field of a record read shares the
	// memory of the whole record.
	regnos map[string]int64
	// matched are the people, not in custody here, whom the file's NIKs
	// named: re-admitted, held or refused. The audit trail records them, so
	// that an import used to ask after strangers' NIKs leaves its trace.
	matched []int64
}

// importBatch is how many rows the writer handles together.
const importBatch = 1000

func (w *importWriter) start() error {
	var err error
	w.regnos, err = w.tx.OpenRegistrations(w.ctx, w.fac.ID)
	return err
}

func (w *importWriter) reject(row *importer.Row, col importer.Column, key string, args ...any) {
	w.rep.problem(importer.Problem{Line: row.Line, Field: w.h.Name(col), Key: key, Args: args})
	w.rep.Rejected++
}

// write writes a batch of prepared rows.
func (w *importWriter) write(batch []prepared) error {
	var fresh []store.NewInmate
	for _, p := range batch {
		row := p.row
		if p.person != nil {
			if err := w.known(row, *p.person, p.source); err != nil {
				return err
			}
			continue
		}
		if epID, ok := w.regnos[row.RegistrationNumber]; ok {
			if err := w.byRegistration(row, epID, p.index, p.source); err != nil {
				return err
			}
			continue
		}
		fresh = append(fresh, store.NewInmate{Person: personFrom(row), UID: p.uid, NIKSealed: p.sealed,
			NIKIndex: p.index, Episode: episodeFrom(row, p.source)})
	}
	if err := w.tx.CreateInmates(w.ctx, w.fac.ID, w.importID, fresh); err != nil {
		return err
	}
	w.rep.Created += len(fresh)
	return nil
}

// known handles a row whose NIK belongs to a stored person: an update when
// they are in custody here, a re-admission when they were released, a
// refusal when they are held elsewhere.
func (w *importWriter) known(row *importer.Row, pk store.PersonKey, source string) error {
	latest, err := w.tx.Inmate(w.ctx, pk.ID)
	if err != nil {
		return err
	}
	here := latest.Episode.Facility == w.fac.Code
	if !here || !latest.Episode.Open() {
		w.matched = append(w.matched, pk.ID)
	}
	switch {
	case !latest.Episode.Open():
		return w.readmit(row, latest, source)
	case !here:
		w.refuseElsewhere(row, latest, "import.nik.elsewhere", latest.Episode.Facility)
		return nil
	}
	return w.update(row, latest, nil, nil, source)
}

// refuseElsewhere rejects a row because of what another facility's record
// says. To an actor who may read that record the reason is given (key and
// args); to anyone else the row only cannot be imported here: neither the
// facility, nor whether the person is held there or was released, nor any
// date of theirs, so that a file of NIKs is no way to find out about
// strangers.
func (w *importWriter) refuseElsewhere(row *importer.Row, r *store.InmateRecord, key string, args ...any) {
	if w.a.canSee(w.ac, binakerja.ActionInmateView, r.Episode.FacilityPath) {
		w.reject(row, importer.ColNIK, key, args...)
		return
	}
	w.reject(row, importer.ColNIK, "import.nik.not_here")
}

// byRegistration handles a row whose registration number names someone in
// custody here: the same person, unless both have different NIKs.
func (w *importWriter) byRegistration(row *importer.Row, episodeID int64, index []byte, source string) error {
	open, err := w.tx.InmateByEpisode(w.ctx, episodeID)
	if err != nil {
		return err
	}
	if row.NIK != "" && len(open.NIKSealed) > 0 {
		w.reject(row, importer.ColRegistration, "import.registration.other_person")
		return nil
	}
	var sealed []byte
	if row.NIK != "" {
		sealed = w.a.nik.Seal(open.UID, row.NIK)
	}
	return w.update(row, open, sealed, index, source)
}

// regnoFree reports whether the row's registration number is free at the
// facility (or held by the episode itself), rejecting the row when not.
func (w *importWriter) regnoFree(row *importer.Row, episodeID int64) bool {
	if other, ok := w.regnos[row.RegistrationNumber]; ok && other != episodeID {
		w.reject(row, importer.ColRegistration, "import.registration.taken")
		return false
	}
	return true
}

func personFrom(row *importer.Row) binakerja.Person {
	return binakerja.Person{Name: row.Name, BirthPlace: row.BirthPlace, BirthDate: row.BirthDate, Sex: row.Sex,
		Education: row.Education, RegionCode: row.RegionCode}
}

func episodeFrom(row *importer.Row, source string) binakerja.Episode {
	return binakerja.Episode{RegistrationNumber: row.RegistrationNumber, RegisterClass: row.RegisterClass,
		AdmissionDate: row.Admission, Sentence: row.Sentence, ExpectedRelease: row.Expected, HalfDate: row.Half,
		TwoThirdsDate: row.TwoThirds, MilestoneSource: source, Status: row.Status}
}

// readmit opens a new custody episode for someone released earlier, or,
// when the row's name or birth date disagrees with the record, holds it for
// review: a NIK typed wrong, or someone else's, must not hand this facility
// a stranger's record.
func (w *importWriter) readmit(row *importer.Row, latest *store.InmateRecord, source string) error {
	if !row.Admission.After(latest.Episode.ReleaseDate) && !row.Admission.Equal(latest.Episode.ReleaseDate) {
		if latest.Episode.Facility == w.fac.Code {
			w.reject(row, importer.ColAdmission, "import.admission.before_release", latest.Episode.ReleaseDate.String())
		} else {
			w.refuseElsewhere(row, latest, "import.admission.before_release", latest.Episode.ReleaseDate.String())
		}
		return nil
	}
	if !w.regnoFree(row, 0) {
		return nil
	}
	if disagrees(latest.Person, row) {
		return w.hold(row, latest, source)
	}
	e, err := w.a.readmit(w.ctx, w.tx, latest, row, source, w.fac, w.importID, "import")
	if err != nil {
		return err
	}
	w.regnos[strings.Clone(e.RegistrationNumber)] = e.ID
	w.rep.Readmitted++
	return nil
}

// disagrees reports whether a row's name or birth date differs from the
// stored person's: names compared as searches compare them (case, accents,
// punctuation and spacing aside), a birth date only when both have one.
func disagrees(p binakerja.Person, row *importer.Row) bool {
	if binakerja.SearchKey(p.Name) != binakerja.SearchKey(row.Name) {
		return true
	}
	return !p.BirthDate.IsZero() && !row.BirthDate.IsZero() && !p.BirthDate.Equal(row.BirthDate)
}

// hold keeps a re-admission for review by the facility's officers instead
// of writing it.
func (w *importWriter) hold(row *importer.Row, latest *store.InmateRecord, source string) error {
	data, err := json.Marshal(heldFrom(row, source))
	if err != nil {
		return err
	}
	err = w.tx.HoldReadmission(w.ctx, &store.ReadmissionReview{FacilityID: w.fac.ID, PersonID: latest.Person.ID,
		ImportID: w.importID, Line: row.Line, Name: row.Name, BirthDate: row.BirthDate, RowData: string(data)})
	if err != nil {
		return err
	}
	w.rep.Held++
	return nil
}

// mergePerson copies the row's non-empty personal fields onto p and reports
// whether anything changed. An empty cell keeps what is stored.
func mergePerson(p *binakerja.Person, row *importer.Row) bool {
	before := *p
	p.Name = row.Name
	if row.BirthPlace != "" {
		p.BirthPlace = row.BirthPlace
	}
	if !row.BirthDate.IsZero() {
		p.BirthDate = row.BirthDate
	}
	if row.Sex != "" {
		p.Sex = row.Sex
	}
	if row.Education != "" {
		p.Education = row.Education
	}
	if row.RegionCode != "" {
		p.RegionCode = row.RegionCode
	}
	return p.Name != before.Name || p.BirthPlace != before.BirthPlace || !p.BirthDate.Equal(before.BirthDate) ||
		p.Sex != before.Sex || p.Education != before.Education || p.RegionCode != before.RegionCode
}

// mergeEpisode does the same for the custody episode.
func mergeEpisode(e *binakerja.Episode, row *importer.Row, source string) bool {
	before := *e
	e.RegistrationNumber, e.AdmissionDate, e.Status = row.RegistrationNumber, row.Admission, row.Status
	if row.RegisterClass != "" {
		e.RegisterClass = row.RegisterClass
	}
	if !row.Sentence.IsZero() {
		e.Sentence = row.Sentence
	}
	if !row.Expected.IsZero() {
		e.ExpectedRelease = row.Expected
	}
	if !row.Half.IsZero() {
		e.HalfDate, e.TwoThirdsDate, e.MilestoneSource = row.Half, row.TwoThirds, source
	}
	return e.RegistrationNumber != before.RegistrationNumber || !e.AdmissionDate.Equal(before.AdmissionDate) ||
		e.Status != before.Status || e.RegisterClass != before.RegisterClass || e.Sentence != before.Sentence ||
		!e.ExpectedRelease.Equal(before.ExpectedRelease) || !e.HalfDate.Equal(before.HalfDate) ||
		!e.TwoThirdsDate.Equal(before.TwoThirdsDate) || e.MilestoneSource != before.MilestoneSource
}

// update brings a person in custody at this facility up to date with the row;
// sealed and index set a NIK the person did not have.
func (w *importWriter) update(row *importer.Row, r *store.InmateRecord, sealed, index []byte, source string) error {
	if row.RegistrationNumber != r.Episode.RegistrationNumber && !w.regnoFree(row, r.Episode.ID) {
		return nil
	}
	p, e := r.Person, r.Episode
	personChanged := mergePerson(&p, row) || sealed != nil
	oldStatus := e.Status
	episodeChanged := mergeEpisode(&e, row, source)
	if !personChanged && !episodeChanged {
		w.rep.Unchanged++
		return nil
	}
	if personChanged {
		if err := w.tx.UpdatePerson(w.ctx, &p, sealed, index); err != nil {
			return err
		}
		if p.Name != r.Person.Name { // the name the person had is kept as history
			if err := w.tx.AddPersonName(w.ctx, p.ID, r.Person.Name, "import"); err != nil {
				return err
			}
		}
	}
	if episodeChanged {
		if err := w.tx.UpdateEpisode(w.ctx, &e, w.fac.ID); err != nil {
			return err
		}
		delete(w.regnos, r.Episode.RegistrationNumber)
		w.regnos[strings.Clone(e.RegistrationNumber)] = e.ID
		if e.Status != oldStatus {
			if err := w.tx.AddStatus(w.ctx, e.ID, e.Status, w.a.today(), "import"); err != nil {
				return err
			}
		}
	}
	w.rep.Updated++
	return nil
}
