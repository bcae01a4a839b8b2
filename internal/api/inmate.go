package api

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/i18n"
	"binakerja/internal/importer"
	"binakerja/internal/route"
)

// MaxImport is the largest inmate file the API accepts.
const MaxImport = 256 << 20

type inmate struct {
	ID                  int64          `json:"id"`
	Organization        string         `json:"organization"`
	OrganizationName    string         `json:"organization_name"`
	RegistrationNumber  string         `json:"registration_number"`
	Name                string         `json:"name"`
	NIKMasked           string         `json:"nik_masked"`
	BirthPlace          string         `json:"birth_place,omitempty"`
	BirthDate           binakerja.Date `json:"birth_date"`
	Sex                 string         `json:"sex"`
	Education           string         `json:"education,omitempty"`
	RegionCode          string         `json:"region_code,omitempty"`
	RegisterClass       string         `json:"register_class,omitempty"`
	AdmissionDate       binakerja.Date `json:"admission_date"`
	Sentence            string         `json:"sentence,omitempty"`
	ExpectedReleaseDate binakerja.Date `json:"expected_release_date"`
	HalfDate            binakerja.Date `json:"half_date"`
	TwoThirdsDate       binakerja.Date `json:"two_thirds_date"`
	Status              string         `json:"status"`
	ReleaseDate         binakerja.Date `json:"release_date"`
	ReleaseReason       string         `json:"release_reason,omitempty"`
}

func inmateJSON(in *binakerja.Inmate) inmate {
	e := in.Episode
	return inmate{ID: in.ID, Organization: e.Facility, OrganizationName: e.FacilityName,
		RegistrationNumber: e.RegistrationNumber, Name: in.Name, NIKMasked: in.NIKMasked, BirthPlace: in.BirthPlace,
		BirthDate: in.BirthDate, Sex: string(in.Sex), Education: in.Education, RegionCode: in.RegionCode,
		RegisterClass: e.RegisterClass, AdmissionDate: e.AdmissionDate, Sentence: e.Sentence.String(),
		ExpectedReleaseDate: e.ExpectedRelease, HalfDate: e.HalfDate, TwoThirdsDate: e.TwoThirdsDate,
		Status: string(e.Status), ReleaseDate: e.ReleaseDate, ReleaseReason: string(e.ReleaseReason)}
}

type statusChange struct {
	Status string         `json:"status"`
	Date   binakerja.Date `json:"date"`
	Reason string         `json:"reason,omitempty"`
}

type transfer struct {
	From               string         `json:"from"`
	To                 string         `json:"to"`
	Date               binakerja.Date `json:"date"`
	RegistrationNumber string         `json:"registration_number"`
}

type episode struct {
	ID                  int64          `json:"id"`
	Organization        string         `json:"organization"`
	OrganizationName    string         `json:"organization_name"`
	RegistrationNumber  string         `json:"registration_number"`
	RegisterClass       string         `json:"register_class,omitempty"`
	AdmissionDate       binakerja.Date `json:"admission_date"`
	Sentence            string         `json:"sentence,omitempty"`
	ExpectedReleaseDate binakerja.Date `json:"expected_release_date"`
	HalfDate            binakerja.Date `json:"half_date"`
	TwoThirdsDate       binakerja.Date `json:"two_thirds_date"`
	MilestoneSource     string         `json:"milestone_source,omitempty"`
	Status              string         `json:"status"`
	ReleaseDate         binakerja.Date `json:"release_date"`
	ReleaseReason       string         `json:"release_reason,omitempty"`
	SupervisionEnd      binakerja.Date `json:"supervision_end"`
	PreviousEpisodeID   int64          `json:"previous_episode_id,omitempty"`
	Readmission         string         `json:"readmission,omitempty"`
	StatusHistory       []statusChange `json:"status_history"`
	Transfers           []transfer     `json:"transfers"`
}

type inmateDetail struct {
	inmate
	EarlierNames    []earlierName       `json:"earlier_names"`
	CustodyEpisodes []episode           `json:"custody_episodes"`
	StaysElsewhere  *staysElsewhere     `json:"stays_elsewhere,omitempty"`
	Enrollments     []personEnrollment  `json:"enrollments"`
	Certificates    []personCertificate `json:"certificates"`
	Placements      []placement         `json:"placements"`
	FollowUps       []followUp          `json:"followups"`
	Handovers       []handover          `json:"handovers"`
	Supervisor      string              `json:"supervisor,omitempty"`
}

// earlierName is a name the person was known by until an import or a
// confirmed review changed it.
type earlierName struct {
	Name       string    `json:"name"`
	ReplacedAt time.Time `json:"replaced_at"`
}

// staysElsewhere sums up the custody episodes at facilities outside the
// caller's reach, which custody_episodes leaves out.
type staysElsewhere struct {
	Count    int `json:"count"`
	FromYear int `json:"from_year"`
	ToYear   int `json:"to_year"`
}

type personEnrollment struct {
	ID        int64          `json:"id"`
	CohortID  int64          `json:"cohort_id"`
	Program   string         `json:"program"`
	Title     string         `json:"program_title"`
	StartDate binakerja.Date `json:"start_date"`
	EndDate   binakerja.Date `json:"end_date"`
	Status    string         `json:"status"`
	Reason    string         `json:"reason,omitempty"`
}

type personCertificate struct {
	ID        int64          `json:"id"`
	Number    string         `json:"number"`
	Scheme    string         `json:"scheme"`
	Title     string         `json:"scheme_title"`
	Issuer    string         `json:"issuer"`
	IssuedOn  binakerja.Date `json:"issued_on"`
	ExpiresOn binakerja.Date `json:"expires_on"`
	Status    string         `json:"status"`
}

func detailJSON(d *app.InmateDetail) inmateDetail {
	out := inmateDetail{inmate: inmateJSON(&d.Inmate), EarlierNames: []earlierName{}, CustodyEpisodes: []episode{},
		Enrollments: []personEnrollment{}, Certificates: []personCertificate{}, Placements: []placement{}, FollowUps: []followUp{},
		Handovers: []handover{}, Supervisor: d.Supervisor}
	today := binakerja.DateOf(time.Now().In(time.FixedZone("WIB", 7*3600)))
	grace := binakerja.FollowUpRuleFor(today).GraceDays
	for _, p := range d.Placements {
		out.Placements = append(out.Placements, placementJSON(p))
	}
	for _, f := range d.FollowUps {
		out.FollowUps = append(out.FollowUps, followUpJSON(f, today, grace))
	}
	for _, x := range d.Handovers {
		out.Handovers = append(out.Handovers, handoverJSON(x, time.Now()))
	}
	for _, n := range d.EarlierNames {
		out.EarlierNames = append(out.EarlierNames, earlierName{Name: n.Name, ReplacedAt: n.ReplacedAt})
	}
	if s := d.Elsewhere; s.Count > 0 {
		out.StaysElsewhere = &staysElsewhere{Count: s.Count, FromYear: s.FromYear, ToYear: s.ToYear}
	}
	for _, e := range d.Enrollments {
		out.Enrollments = append(out.Enrollments, personEnrollment{ID: e.ID, CohortID: e.CohortID, Program: e.Program,
			Title: e.ProgramTitle, StartDate: e.StartDate, EndDate: e.EndDate, Status: string(e.Status), Reason: e.Reason})
	}
	for _, c := range d.Certificates {
		out.Certificates = append(out.Certificates, personCertificate{ID: c.ID, Number: c.Number, Scheme: c.Scheme,
			Title: c.SchemeTitle, Issuer: c.Issuer, IssuedOn: c.IssuedOn, ExpiresOn: c.ExpiresOn, Status: string(c.Status)})
	}
	for _, e := range d.Episodes {
		ep := episode{ID: e.ID, Organization: e.Facility, OrganizationName: e.FacilityName,
			RegistrationNumber: e.RegistrationNumber, RegisterClass: e.RegisterClass, AdmissionDate: e.AdmissionDate,
			Sentence: e.Sentence.String(), ExpectedReleaseDate: e.ExpectedRelease, HalfDate: e.HalfDate,
			TwoThirdsDate: e.TwoThirdsDate, MilestoneSource: e.MilestoneSource, Status: string(e.Status),
			ReleaseDate: e.ReleaseDate, ReleaseReason: string(e.ReleaseReason), SupervisionEnd: e.SupervisionEnd(),
			PreviousEpisodeID: e.PreviousEpisode, Readmission: string(e.Readmission),
			StatusHistory: []statusChange{}, Transfers: []transfer{}}
		for _, s := range e.History {
			ep.StatusHistory = append(ep.StatusHistory, statusChange{Status: string(s.Status), Date: s.Date, Reason: s.Reason})
		}
		for _, x := range e.Transfers {
			ep.Transfers = append(ep.Transfers, transfer{From: x.From, To: x.To, Date: x.Date, RegistrationNumber: x.RegistrationNumber})
		}
		out.CustodyEpisodes = append(out.CustodyEpisodes, ep)
	}
	return out
}

// dateParam reads an optional YYYY-MM-DD query parameter.
func dateParam(r *http.Request, name string) (binakerja.Date, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return binakerja.Date{}, nil
	}
	d, err := binakerja.ParseISODate(s)
	if err != nil {
		return d, binakerja.FieldInvalid(name, "date.format")
	}
	return d, nil
}

func (h *Handler) inmateList(w http.ResponseWriter, r *http.Request) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	iq := app.InmateQuery{Facility: q.Get("organization"), Query: q.Get("q"), NIK: q.Get("nik"),
		Status: binakerja.LegalStatus(q.Get("status")), InCustody: q.Get("in_custody") == "true", Page: pg}
	if iq.ReleaseFrom, err = dateParam(r, "release_from"); err != nil {
		return err
	}
	if iq.ReleaseTo, err = dateParam(r, "release_to"); err != nil {
		return err
	}
	list, next, err := h.app.Inmates(r.Context(), route.ActorFrom(r.Context()), iq)
	if err != nil {
		return err
	}
	out := struct {
		Items      []inmate `json:"items"`
		NextCursor string   `json:"next_cursor,omitempty"`
	}{Items: []inmate{}, NextCursor: next}
	for i := range list {
		out.Items = append(out.Items, inmateJSON(&list[i]))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (h *Handler) inmateShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := h.app.Inmate(r.Context(), route.ActorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, detailJSON(d))
}

func (h *Handler) inmateRelease(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Date       binakerja.Date `json:"date"`
		Reason     string         `json:"reason"`
		Supervisor string         `json:"supervisor"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	out, err := h.app.ReleaseUnder(r.Context(), route.ActorFrom(r.Context()), id, in.Date, binakerja.ReleaseReason(in.Reason), in.Supervisor)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, inmateJSON(out))
}

func (h *Handler) inmateTransfer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		To                 string         `json:"to"`
		Date               binakerja.Date `json:"date"`
		RegistrationNumber string         `json:"registration_number"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	out, err := h.app.Transfer(r.Context(), route.ActorFrom(r.Context()), id, in.To, in.Date, in.RegistrationNumber)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, inmateJSON(out))
}

func (h *Handler) inmateNIK(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	nik, err := h.app.RevealNIK(r.Context(), route.ActorFrom(r.Context()), id, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"nik": nik})
}

type auditTrailEntry struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Org    string    `json:"organization,omitempty"`
}

func (h *Handler) inmateExport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	s, err := h.app.ExportSubject(r.Context(), route.ActorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	out := SubjectJSON(s)
	w.Header().Set("Content-Disposition", `attachment; filename="binakerja-subject-`+strconv.FormatInt(id, 10)+`.json"`)
	return writeJSON(w, http.StatusOK, out)
}

// subjectExport is the subject-access export.
type subjectExport struct {
	inmateDetail
	NIK             string            `json:"nik,omitempty"`
	ProcessingTrail []auditTrailEntry `json:"processing_trail"`
}

// SubjectJSON is the JSON form of a subject-access export, also offered for
// download on the person page.
func SubjectJSON(s *app.SubjectAccess) any {
	out := subjectExport{inmateDetail: detailJSON(&s.InmateDetail), NIK: s.NIK, ProcessingTrail: []auditTrailEntry{}}
	for _, e := range s.Trail {
		out.ProcessingTrail = append(out.ProcessingTrail, auditTrailEntry{At: e.At, Actor: e.Actor, Action: e.Action, Org: e.Org})
	}
	return out
}

// ImportReportJSON is the answer of an import, also used by the upload page.
type ImportReportJSON struct {
	Rows           int           `json:"rows"`
	Created        int           `json:"created"`
	Updated        int           `json:"updated"`
	Unchanged      int           `json:"unchanged"`
	Readmitted     int           `json:"readmitted"`
	Held           int           `json:"held"`
	Rejected       int           `json:"rejected"`
	Errors         []importError `json:"errors"`
	MoreErrors     int           `json:"more_errors,omitempty"`
	UnknownColumns []string      `json:"unknown_columns"`
	MoreUnknown    int           `json:"more_unknown_columns,omitempty"`
	DryRun         bool          `json:"dry_run"`
	Written        bool          `json:"written"`
	ImportID       int64         `json:"import_id,omitempty"`
}

type importError struct {
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ReportJSON says an import report in p's language.
func ReportJSON(rep *app.ImportReport, p *i18n.Printer) ImportReportJSON {
	out := ImportReportJSON{Rows: rep.Rows, Created: rep.Created, Updated: rep.Updated, Unchanged: rep.Unchanged,
		Readmitted: rep.Readmitted, Held: rep.Held, Rejected: rep.Rejected, Errors: []importError{}, MoreErrors: rep.MoreProblems,
		UnknownColumns: append([]string{}, rep.UnknownColumns...), MoreUnknown: rep.MoreUnknownColumns,
		DryRun: rep.DryRun, Written: rep.Written,
		ImportID: rep.ImportID}
	for _, pr := range rep.Problems {
		out.Errors = append(out.Errors, importError{Line: pr.Line, Field: pr.Field, Message: p.T(pr.Key, pr.Args...)})
	}
	return out
}

// importMediaTypes are the media types of the files an import accepts.
var importMediaTypes = map[string]bool{
	"text/csv": true, "application/csv": true, "text/plain": true, "text/tab-separated-values": true,
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": true,
}

// Spool keeps an uploaded file for an import, encrypted on disk under a key
// held in memory only (see importer.Spool), refusing one over max bytes. The
// caller removes it on every path.
func Spool(body io.Reader, max int64) (*importer.Spooled, error) {
	s, err := importer.Spool(body, max)
	if errors.Is(err, importer.ErrTooLarge) {
		err = binakerja.Errorf(binakerja.TooLarge, "json.too_large", max)
	}
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		err = binakerja.Errorf(binakerja.TooLarge, "json.too_large", max)
	}
	return s, err
}

// FileSource opens a spooled file for each pass of an import.
func FileSource(s *importer.Spooled) app.ImportSource { return s.Open }

func (h *Handler) inmateImport(w http.ResponseWriter, r *http.Request) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !importMediaTypes[mt] {
		return binakerja.Errorf(binakerja.Unsupported, "import.media_type")
	}
	q := r.URL.Query()
	onError := q.Get("on_error")
	if onError != "" && onError != "abort" && onError != "skip" {
		return binakerja.FieldInvalid("on_error", "import.on_error")
	}
	dry := q.Get("dry_run")
	if dry != "" && dry != "true" && dry != "false" {
		return binakerja.FieldInvalid("dry_run", "import.dry_run")
	}
	file, err := Spool(r.Body, MaxImport)
	if err != nil {
		return err
	}
	defer file.Remove()
	rep, err := h.app.ImportInmates(r.Context(), route.ActorFrom(r.Context()), r.PathValue("code"), FileSource(file),
		app.ImportOptions{FileName: q.Get("filename"), Sheet: q.Get("sheet"), DryRun: dry == "true", SkipErrors: onError == "skip"})
	if rep == nil || (err != nil && binakerja.ErrorKind(err) != binakerja.Invalid) {
		return err
	}
	status := http.StatusOK
	if err != nil {
		status = http.StatusUnprocessableEntity
	}
	return writeJSON(w, status, ReportJSON(rep, Printer(r)))
}
