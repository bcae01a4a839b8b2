package api

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/i18n"
	"binakerja/internal/route"
	"binakerja/internal/store"
)

type contact struct {
	Name     string `json:"name"`
	Position string `json:"position,omitempty"`
	Phone    string `json:"phone,omitempty"`
	Email    string `json:"email,omitempty"`
}

type partner struct {
	Code               string    `json:"code"`
	Name               string    `json:"name"`
	RegionCode         string    `json:"region_code"`
	Parent             string    `json:"parent,omitempty"`
	EmployerSize       string    `json:"employer_size,omitempty"`
	KBLICode           string    `json:"kbli_code,omitempty"`
	KBLIVersion        string    `json:"kbli_version,omitempty"`
	Address            string    `json:"address,omitempty"`
	Tier               string    `json:"tier,omitempty"`
	AcceptsConvictions bool      `json:"accepts_convictions"`
	ExcludedOffences   []string  `json:"excluded_offences"`
	Contacts           []contact `json:"contacts"`
	Version            int       `json:"version"`
}

// partnerJSON shows an employer's profile. The offence groups it excludes
// are shown to staff only: the employer's own people see that it has
// exclusions, never to whom they would apply.
func partnerJSON(o *binakerja.Organization) partner {
	out := partner{Code: o.Code, Name: o.Name, RegionCode: o.RegionCode, Parent: o.Parent, EmployerSize: o.EmployerSize,
		KBLICode: o.Partner.KBLICode, KBLIVersion: o.Partner.KBLIVersion, Address: o.Partner.Address,
		Tier: string(o.Partner.Tier), AcceptsConvictions: !o.Partner.RefusesConvictions, ExcludedOffences: []string{},
		Contacts: []contact{}, Version: o.Version}
	for _, g := range o.Partner.Excluded {
		out.ExcludedOffences = append(out.ExcludedOffences, string(g))
	}
	for _, c := range o.Partner.Contacts {
		out.Contacts = append(out.Contacts, contact(c))
	}
	return out
}

type partnerIn struct {
	Code               string    `json:"code"`
	Name               string    `json:"name"`
	RegionCode         string    `json:"region_code"`
	Parent             string    `json:"parent"`
	EmployerSize       string    `json:"employer_size"`
	KBLICode           string    `json:"kbli_code"`
	KBLIVersion        string    `json:"kbli_version"`
	Address            string    `json:"address"`
	Tier               string    `json:"tier"`
	AcceptsConvictions *bool     `json:"accepts_convictions"`
	ExcludedOffences   []string  `json:"excluded_offences"`
	Contacts           []contact `json:"contacts"`
	Version            int       `json:"version"`
}

func (in partnerIn) partner() binakerja.Partner {
	p := binakerja.Partner{KBLICode: in.KBLICode, KBLIVersion: in.KBLIVersion, Address: in.Address,
		Tier: binakerja.PartnerTier(in.Tier), RefusesConvictions: in.AcceptsConvictions != nil && !*in.AcceptsConvictions}
	for _, g := range in.ExcludedOffences {
		p.Excluded = append(p.Excluded, binakerja.OffenceGroup(g))
	}
	for _, c := range in.Contacts {
		p.Contacts = append(p.Contacts, binakerja.Contact(c))
	}
	return p
}

func (h *Handler) partnerCreate(w http.ResponseWriter, r *http.Request) error {
	var in partnerIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	o, err := h.app.CreatePartner(r.Context(), route.ActorFrom(r.Context()), app.NewPartner{Code: in.Code, Name: in.Name,
		RegionCode: in.RegionCode, EmployerSize: in.EmployerSize, Parent: in.Parent, Partner: in.partner()})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, partnerJSON(o))
}

func (h *Handler) partnerList(w http.ResponseWriter, r *http.Request) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	ps, next, err := h.app.Partners(r.Context(), route.ActorFrom(r.Context()), app.PartnerFilter{Query: q.Get("q"),
		Region: q.Get("region"), Size: strings.ToUpper(q.Get("size")), Tier: binakerja.PartnerTier(strings.ToUpper(q.Get("tier"))), Page: pg})
	if err != nil {
		return err
	}
	out := list[partner]{Items: []partner{}, NextCursor: next}
	for _, o := range ps {
		out.Items = append(out.Items, partnerJSON(o))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (h *Handler) partnerShow(w http.ResponseWriter, r *http.Request) error {
	o, err := h.app.Partner(r.Context(), route.ActorFrom(r.Context()), r.PathValue("code"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, partnerJSON(o))
}

func (h *Handler) partnerUpdate(w http.ResponseWriter, r *http.Request) error {
	var in partnerIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	o, err := h.app.UpdatePartner(r.Context(), route.ActorFrom(r.Context()), r.PathValue("code"),
		app.PartnerChange{EmployerSize: in.EmployerSize, Partner: in.partner(), Version: in.Version})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, partnerJSON(o))
}

type commitment struct {
	Kind    string         `json:"kind"`
	Target  int            `json:"target"`
	From    binakerja.Date `json:"from,omitempty"`
	Until   binakerja.Date `json:"until,omitempty"`
	Actual  int            `json:"actual"`
	Percent int            `json:"percent"`
}

type party struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

type document struct {
	ID         int64     `json:"id"`
	FileName   string    `json:"file_name"`
	MediaType  string    `json:"media_type"`
	Size       int64     `json:"size"`
	SHA256     string    `json:"sha256"`
	UploadedAt time.Time `json:"uploaded_at"`
}

type agreement struct {
	ID             int64          `json:"id"`
	Type           string         `json:"type"`
	Number         string         `json:"number"`
	Title          string         `json:"title,omitempty"`
	Parties        []party        `json:"parties"`
	SignedDate     binakerja.Date `json:"signed_date"`
	ValidFrom      binakerja.Date `json:"valid_from"`
	ValidUntil     binakerja.Date `json:"valid_until"`
	Status         string         `json:"status"`
	EndedDate      binakerja.Date `json:"ended_date,omitempty"`
	EndedReason    string         `json:"ended_reason,omitempty"`
	ElapsedPercent int            `json:"elapsed_percent"`
	Commitments    []commitment   `json:"commitments"`
	Documents      []document     `json:"documents"`
	Version        int            `json:"version"`
}

func agreementJSON(ag *binakerja.Agreement, today binakerja.Date) agreement {
	out := agreement{ID: ag.ID, Type: string(ag.Type), Number: ag.Number, Title: ag.Title, Parties: []party{},
		SignedDate: ag.SignedDate, ValidFrom: ag.ValidFrom, ValidUntil: ag.ValidUntil, Status: string(ag.StatusOn(today)),
		EndedDate: ag.EndedDate, EndedReason: ag.EndedReason, ElapsedPercent: ag.ElapsedPercent(today),
		Commitments: []commitment{}, Documents: []document{}, Version: ag.Version}
	for _, p := range ag.Parties {
		out.Parties = append(out.Parties, party{Code: p.Code, Name: p.Name, Kind: string(p.Kind)})
	}
	for _, c := range ag.Commitments {
		out.Commitments = append(out.Commitments, commitment{Kind: string(c.Kind), Target: c.Target, From: c.From,
			Until: c.Until, Actual: c.Actual, Percent: c.Percent()})
	}
	for _, d := range ag.Documents {
		out.Documents = append(out.Documents, document{ID: d.ID, FileName: d.FileName, MediaType: d.MediaType,
			Size: d.Size, SHA256: d.SHA256, UploadedAt: d.UploadedAt})
	}
	return out
}

func (h *Handler) agreementCreate(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Type        string         `json:"type"`
		Number      string         `json:"number"`
		Title       string         `json:"title"`
		Parties     []string       `json:"parties"`
		SignedDate  binakerja.Date `json:"signed_date"`
		ValidFrom   binakerja.Date `json:"valid_from"`
		ValidUntil  binakerja.Date `json:"valid_until"`
		Status      string         `json:"status"`
		Commitments []struct {
			Kind   string         `json:"kind"`
			Target int            `json:"target"`
			From   binakerja.Date `json:"from"`
			Until  binakerja.Date `json:"until"`
		} `json:"commitments"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Status != "" && in.Status != string(binakerja.AgreementDraft) && in.Status != string(binakerja.AgreementActive) {
		return binakerja.FieldInvalid("status", "agreement.create_status")
	}
	na := app.NewAgreement{Type: binakerja.AgreementType(in.Type), Number: in.Number, Title: in.Title, Parties: in.Parties,
		SignedDate: in.SignedDate, ValidFrom: in.ValidFrom, ValidUntil: in.ValidUntil, Draft: in.Status == string(binakerja.AgreementDraft)}
	for _, c := range in.Commitments {
		na.Commitments = append(na.Commitments, binakerja.Commitment{Kind: binakerja.CommitmentKind(c.Kind), Target: c.Target,
			From: c.From, Until: c.Until})
	}
	ag, err := h.app.CreateAgreement(r.Context(), route.ActorFrom(r.Context()), na)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, agreementJSON(ag, h.app.Today()))
}

func (h *Handler) agreementList(w http.ResponseWriter, r *http.Request) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := app.AgreementListFilter{Query: q.Get("q"), Party: q.Get("party"), Page: pg}
	if s := q.Get("ending_within"); s != "" {
		if f.EndingDays, err = strconv.Atoi(s); err != nil || f.EndingDays < 1 || f.EndingDays > 3660 {
			return binakerja.FieldInvalid("ending_within", "agreement.ending_within")
		}
	}
	ags, next, err := h.app.Agreements(r.Context(), route.ActorFrom(r.Context()), f)
	if err != nil {
		return err
	}
	out := list[agreement]{Items: []agreement{}, NextCursor: next}
	for _, ag := range ags {
		out.Items = append(out.Items, agreementJSON(ag, h.app.Today()))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (h *Handler) agreementShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ag, err := h.app.Agreement(r.Context(), route.ActorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, agreementJSON(ag, h.app.Today()))
}

func (h *Handler) agreementStatus(to binakerja.AgreementStatus) route.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		var in struct {
			Date    binakerja.Date `json:"date"`
			Reason  string         `json:"reason"`
			Version int            `json:"version"`
		}
		if err := decode(w, r, &in); err != nil {
			return err
		}
		ag, err := h.app.ChangeAgreementStatus(r.Context(), route.ActorFrom(r.Context()), id, to, in.Date, in.Reason, in.Version)
		if err != nil {
			return err
		}
		ag, err = h.app.Agreement(r.Context(), route.ActorFrom(r.Context()), ag.ID)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, agreementJSON(ag, h.app.Today()))
	}
}

func (h *Handler) agreementDocumentAdd(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, binakerja.MaxDocumentSize+1))
	if err != nil {
		if _, ok := err.(*http.MaxBytesError); ok {
			return binakerja.Errorf(binakerja.TooLarge, "document.too_large", binakerja.MaxDocumentSize>>20)
		}
		return err
	}
	d, err := h.app.AddAgreementDocument(r.Context(), route.ActorFrom(r.Context()), id, r.URL.Query().Get("name"),
		r.Header.Get("Content-Type"), body)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, document{ID: d.ID, FileName: d.FileName, MediaType: d.MediaType, Size: d.Size,
		SHA256: d.SHA256, UploadedAt: d.UploadedAt})
}

func (h *Handler) agreementDocument(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	doc, err := strconv.ParseInt(r.PathValue("doc"), 10, 64)
	if err != nil {
		return binakerja.Errorf(binakerja.NotFound, "error.not_found")
	}
	d, content, err := h.app.AgreementDocument(r.Context(), route.ActorFrom(r.Context()), id, doc)
	if err != nil {
		return err
	}
	ServeDocument(w, d, content)
	return nil
}

// ServeDocument answers with a stored document as an attachment, with its
// own media type and never sniffed.
func ServeDocument(w http.ResponseWriter, d *binakerja.AgreementDocument, content []byte) {
	w.Header().Set("Content-Type", d.MediaType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+strings.Map(func(r rune) rune {
		if r == '"' || r == '\\' || r < 0x20 || r > 0x7e {
			return '_'
		}
		return r
	}, d.FileName)+`"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Length", strconv.Itoa(len(content)))
	w.Write(content) // #nosec G705 -- an attachment of a type sniffed and allowed at upload (checkDocument), never HTML
}

func (h *Handler) consentCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Scope    string         `json:"scope"`
		Given    *bool          `json:"given"`
		Date     binakerja.Date `json:"date"`
		Note     string         `json:"note"`
		Form     []byte         `json:"form"` // base64 in JSON; the body is at most MaxBody
		FormType string         `json:"form_type"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Given == nil {
		return binakerja.FieldInvalid("given", "field.required")
	}
	c, withdrawn, err := h.app.RecordConsent(r.Context(), route.ActorFrom(r.Context()), id, app.ConsentInput{
		Scope: binakerja.ConsentScope(in.Scope), Given: *in.Given, Date: in.Date, Note: in.Note, Form: in.Form, FormType: in.FormType})
	if err != nil {
		return err
	}
	out := consentJSON(*c)
	for _, ap := range withdrawn {
		out.Withdrawn = append(out.Withdrawn, ap.ID)
	}
	return writeJSON(w, http.StatusCreated, out)
}

type consent struct {
	ID         int64          `json:"id"`
	Scope      string         `json:"scope"`
	Given      bool           `json:"given"`
	Date       binakerja.Date `json:"date"`
	RecordedBy string         `json:"recorded_by"`
	Note       string         `json:"note,omitempty"`
	FormSHA256 string         `json:"form_sha256,omitempty"`
	Withdrawn  []int64        `json:"withdrawn_applications,omitempty"`
}

func consentJSON(c binakerja.Consent) consent {
	return consent{ID: c.ID, Scope: string(c.Scope), Given: c.Given, Date: c.Date, RecordedBy: c.RecordedBy, Note: c.Note,
		FormSHA256: c.FormSHA256}
}

func (h *Handler) consentList(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	cs, err := h.app.Consents(r.Context(), route.ActorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	out := list[consent]{Items: []consent{}}
	for _, c := range cs {
		out.Items = append(out.Items, consentJSON(c))
	}
	return writeJSON(w, http.StatusOK, out)
}

type vacancy struct {
	ID            int64          `json:"id"`
	Employer      string         `json:"employer"`
	EmployerName  string         `json:"employer_name"`
	LabourOffice  string         `json:"labour_office"`
	AgreementID   int64          `json:"agreement_id,omitempty"`
	Title         string         `json:"title"`
	Description   string         `json:"description,omitempty"`
	KBJICode      string         `json:"kbji_code,omitempty"`
	RequiredUnits []string       `json:"required_units"`
	OptionalUnits []string       `json:"optional_units"`
	KKNILevel     int            `json:"kkni_level,omitempty"`
	Places        int            `json:"places"`
	RegionCode    string         `json:"region_code"`
	WageMin       int64          `json:"wage_min,omitempty"`
	WageMax       int64          `json:"wage_max,omitempty"`
	ContractType  string         `json:"contract_type,omitempty"`
	StartDate     binakerja.Date `json:"start_date"`
	ClosingDate   binakerja.Date `json:"closing_date"`
	Status        string         `json:"status"`
	Applications  *int           `json:"applications,omitempty"`
	Hired         *int           `json:"hired,omitempty"`
	Version       int            `json:"version"`
}

func vacancyJSON(v *binakerja.Vacancy) vacancy {
	out := vacancy{ID: v.ID, Employer: v.Employer, EmployerName: v.EmployerName, LabourOffice: v.LabourOffice,
		AgreementID: v.AgreementID, Title: v.Title, Description: v.Description, KBJICode: v.KBJICode,
		RequiredUnits: append([]string{}, v.RequiredUnits...), OptionalUnits: append([]string{}, v.OptionalUnits...),
		KKNILevel: v.KKNILevel, Places: v.Places, RegionCode: v.RegionCode, WageMin: v.WageMin, WageMax: v.WageMax,
		ContractType: string(v.ContractType), StartDate: v.StartDate, ClosingDate: v.ClosingDate, Status: string(v.Status),
		Version: v.Version}
	return out
}

type vacancyIn struct {
	Employer        string         `json:"employer"`
	AgreementID     int64          `json:"agreement_id"`
	Title           string         `json:"title"`
	Description     string         `json:"description"`
	KBJICode        string         `json:"kbji_code"`
	RequiredUnits   []string       `json:"required_units"`
	OptionalUnits   []string       `json:"optional_units"`
	RequiredSchemes []string       `json:"required_schemes"`
	KKNILevel       int            `json:"kkni_level"`
	Places          int            `json:"places"`
	RegionCode      string         `json:"region_code"`
	WageMin         int64          `json:"wage_min"`
	WageMax         int64          `json:"wage_max"`
	ContractType    string         `json:"contract_type"`
	StartDate       binakerja.Date `json:"start_date"`
	ClosingDate     binakerja.Date `json:"closing_date"`
	Status          string         `json:"status"`
	Version         int            `json:"version"`
}

func (in vacancyIn) vacancy() binakerja.Vacancy {
	return binakerja.Vacancy{Employer: in.Employer, AgreementID: in.AgreementID, Title: in.Title, Description: in.Description,
		KBJICode: in.KBJICode, RequiredUnits: in.RequiredUnits, OptionalUnits: in.OptionalUnits, KKNILevel: in.KKNILevel,
		Places: in.Places, RegionCode: in.RegionCode, WageMin: in.WageMin, WageMax: in.WageMax,
		ContractType: binakerja.ContractType(in.ContractType), StartDate: in.StartDate, ClosingDate: in.ClosingDate,
		Status: binakerja.VacancyStatus(strings.ToUpper(in.Status)), Version: in.Version}
}

func (h *Handler) vacancyCreate(w http.ResponseWriter, r *http.Request) error {
	var in vacancyIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := h.app.CreateVacancy(r.Context(), route.ActorFrom(r.Context()), app.NewVacancy{Vacancy: in.vacancy(),
		RequiredSchemes: in.RequiredSchemes})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, vacancyJSON(v))
}

func (h *Handler) vacancyUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in vacancyIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := h.app.UpdateVacancy(r.Context(), route.ActorFrom(r.Context()), id, in.vacancy())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, vacancyJSON(v))
}

func (h *Handler) vacancyList(w http.ResponseWriter, r *http.Request) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	vs, next, err := h.app.Vacancies(r.Context(), route.ActorFrom(r.Context()), store.VacancyFilter{Employer: q.Get("employer"),
		Status: binakerja.VacancyStatus(strings.ToUpper(q.Get("status"))), Query: q.Get("q"), Page: pg})
	if err != nil {
		return err
	}
	out := list[vacancy]{Items: []vacancy{}, NextCursor: next}
	for _, it := range vs {
		v := vacancyJSON(it.Vacancy)
		v.Applications, v.Hired = &it.Applications, &it.Hired
		out.Items = append(out.Items, v)
	}
	return writeJSON(w, http.StatusOK, out)
}

func (h *Handler) vacancyShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := h.app.Vacancy(r.Context(), route.ActorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, vacancyJSON(v))
}

type matchItem struct {
	InmateID        int64             `json:"inmate_id"`
	Name            string            `json:"name"`
	Score           float64           `json:"score"`
	Parts           map[string]any    `json:"score_parts"`
	MatchedRequired []string          `json:"matched_required"`
	MissingRequired []string          `json:"missing_required"`
	MatchedOptional []string          `json:"matched_optional"`
	Evidence        map[string]string `json:"evidence"`
	AvailableFrom   binakerja.Date    `json:"available_from"`
	RegionCode      string            `json:"region_code"`
	DistanceKm      *float64          `json:"distance_km"`
	TrainingGap     bool              `json:"training_gap"`
	Why             string            `json:"why"`
	Application     string            `json:"application_status,omitempty"`
}

type knockedOut struct {
	InmateID int64  `json:"inmate_id"`
	Name     string `json:"name"`
	Reason   string `json:"reason"`
	Message  string `json:"message"`
}

// MatchWhy says in plain words why a candidate ranks where they do: "K pada
// 4 dari 5 unit wajib; 6 km; bebas 12 Maret 2027".
//
// coarse says the availability is known by the month only (to an employer).
func MatchWhy(p *i18n.Printer, m binakerja.Match, v *binakerja.Vacancy, today binakerja.Date, coarse bool) string {
	parts := []string{p.T("match.why.required", len(m.MatchedRequired), len(v.RequiredUnits))}
	if len(v.OptionalUnits) > 0 {
		parts = append(parts, p.T("match.why.optional", len(m.MatchedOptional), len(v.OptionalUnits)))
	}
	if m.DistanceKm >= 0 {
		parts = append(parts, p.T("match.why.km", int(m.DistanceKm+0.5)))
	} else {
		parts = append(parts, p.T("match.why.km_unknown"))
	}
	switch f := m.Facts.AvailableFrom; {
	case f.IsZero() || !f.After(today):
		parts = append(parts, p.T("match.why.available_now"))
	case f.Time().Day() == 1 && coarse:
		_, month, _ := strings.Cut(p.Day(f), " ")
		parts = append(parts, p.T("match.why.available_month", month))
	default:
		parts = append(parts, p.T("match.why.available_from", p.Day(f)))
	}
	return strings.Join(parts, "; ")
}

func (h *Handler) vacancyMatches(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	limit := 20
	if s := r.URL.Query().Get("limit"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 || limit > store.MaxLimit {
			return binakerja.FieldInvalid("limit", "page.limit.range", store.MaxLimit)
		}
	}
	m, err := h.app.Match(r.Context(), route.ActorFrom(r.Context()), id, limit)
	if err != nil {
		return err
	}
	p := Printer(r)
	today := h.app.Today()
	out := struct {
		Items      []matchItem  `json:"items"`
		KnockedOut []knockedOut `json:"knocked_out"`
		Rule       string       `json:"rule"`
	}{Items: []matchItem{}, KnockedOut: []knockedOut{}, Rule: m.Rule.Version}
	for _, it := range m.Items {
		mi := matchItem{InmateID: it.Facts.PersonID, Name: it.Facts.Name, Score: it.Score,
			MatchedRequired: append([]string{}, it.MatchedRequired...), MissingRequired: append([]string{}, it.MissingRequired...),
			MatchedOptional: append([]string{}, it.MatchedOptional...), Evidence: map[string]string{},
			AvailableFrom: it.Facts.AvailableFrom, RegionCode: it.Facts.RegionCode, TrainingGap: it.TrainingGap,
			Why: MatchWhy(p, it, m.Vacancy, today, !m.ForStaff), Application: string(m.Proposed[it.Facts.PersonID]),
			Parts: map[string]any{"required": it.Parts.Required, "distance": it.Parts.Distance, "availability": it.Parts.Availability}}
		if it.Parts.Optional >= 0 {
			mi.Parts["optional"] = it.Parts.Optional
		}
		if it.Parts.Level >= 0 {
			mi.Parts["level"] = it.Parts.Level
		}
		if it.DistanceKm >= 0 {
			km := float64(int(it.DistanceKm*10+0.5)) / 10
			mi.DistanceKm = &km
		}
		for u, e := range it.Evidence {
			mi.Evidence[u] = string(e)
		}
		out.Items = append(out.Items, mi)
	}
	for _, k := range m.KnockedOut {
		out.KnockedOut = append(out.KnockedOut, knockedOut{InmateID: k.PersonID, Name: k.Name, Reason: string(k.Reason),
			Message: p.T("knockout." + string(k.Reason))})
	}
	return writeJSON(w, http.StatusOK, out)
}

type applicationEvent struct {
	From   string    `json:"from,omitempty"`
	To     string    `json:"to"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason,omitempty"`
}

type application struct {
	ID         int64              `json:"id"`
	VacancyID  int64              `json:"vacancy_id"`
	Vacancy    string             `json:"vacancy_title"`
	Employer   string             `json:"employer"`
	InmateID   int64              `json:"inmate_id"`
	Name       string             `json:"name"`
	Status     string             `json:"status"`
	Score      float64            `json:"score"`
	ProposedBy string             `json:"proposed_by,omitempty"`
	CreatedAt  time.Time          `json:"created_at"`
	Events     []applicationEvent `json:"events,omitempty"`
	Candidate  *jobCandidate      `json:"candidate,omitempty"`
}

type candidateUnit struct {
	Code     string `json:"code"`
	Required bool   `json:"required"`
	Evidence string `json:"evidence,omitempty"`
}

type candidateCertificate struct {
	Number          string         `json:"number"`
	Scheme          string         `json:"scheme"`
	Title           string         `json:"title"`
	Issuer          string         `json:"issuer"`
	IssuedOn        binakerja.Date `json:"issued_on"`
	ExpiresOn       binakerja.Date `json:"expires_on"`
	VerificationURL string         `json:"verification_url"`
}

type jobCandidate struct {
	Name          string                 `json:"name"`
	RegionCode    string                 `json:"region_code,omitempty"`
	AvailableFrom binakerja.Date         `json:"available_from"`
	Units         []candidateUnit        `json:"units"`
	Certificates  []candidateCertificate `json:"certificates"`
}

func applicationJSON(ap *binakerja.Application, employer bool) application {
	out := application{ID: ap.ID, VacancyID: ap.VacancyID, Vacancy: ap.VacancyTitle, Employer: ap.Employer,
		InmateID: ap.PersonID, Name: ap.Name, Status: string(ap.Status), Score: ap.Score, CreatedAt: ap.CreatedAt}
	if !employer {
		out.ProposedBy = ap.ProposedBy
	}
	for _, e := range ap.Events {
		ev := applicationEvent{From: string(e.From), To: string(e.To), By: e.By, At: e.At, Reason: e.Reason}
		if employer && e.To == binakerja.ApplicationWithdrawn {
			ev.Reason, ev.By = "", "" // why a candidate was withdrawn is not the employer's to know
		}
		out.Events = append(out.Events, ev)
	}
	return out
}

func isEmployer(ac app.Actor) bool {
	return ac.User != nil && ac.User.Has(binakerja.RoleEmployer) && !ac.User.Has(binakerja.RoleLabourOfficer) &&
		!ac.User.Has(binakerja.RoleAdmin)
}

func (h *Handler) applicationCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		InmateID int64 `json:"inmate_id"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	ac := route.ActorFrom(r.Context())
	ap, err := h.app.Propose(r.Context(), ac, id, in.InmateID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, applicationJSON(ap, false))
}

func (h *Handler) applicationList(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ac := route.ActorFrom(r.Context())
	as, err := h.app.Applications(r.Context(), ac, id)
	if err != nil {
		return err
	}
	out := list[application]{Items: []application{}}
	for _, ap := range as {
		a := applicationJSON(ap, isEmployer(ac))
		a.Events = nil
		out.Items = append(out.Items, a)
	}
	return writeJSON(w, http.StatusOK, out)
}

func (h *Handler) applicationShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ac := route.ActorFrom(r.Context())
	c, err := h.app.ApplicationCandidate(r.Context(), ac, id)
	if err != nil {
		return err
	}
	out := applicationJSON(c.Application, isEmployer(ac))
	if !c.Withdrawn {
		cd := &jobCandidate{Name: c.Name, RegionCode: c.RegionCode, AvailableFrom: c.AvailableFrom, Units: []candidateUnit{},
			Certificates: []candidateCertificate{}}
		for _, u := range c.Units {
			cd.Units = append(cd.Units, candidateUnit{Code: u.Code, Required: u.Required, Evidence: string(u.Evidence)})
		}
		for _, ct := range c.Certificates {
			cd.Certificates = append(cd.Certificates, candidateCertificate{Number: ct.Number, Scheme: ct.Scheme, Title: ct.Title,
				Issuer: ct.Issuer, IssuedOn: ct.IssuedOn, ExpiresOn: ct.ExpiresOn, VerificationURL: h.app.VerificationURL(ct.Code)})
		}
		out.Candidate = cd
	} else {
		out.Name = ""
	}
	return writeJSON(w, http.StatusOK, out)
}

func (h *Handler) applicationStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Status string `json:"status"`
		Reason string `json:"reason"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	ac := route.ActorFrom(r.Context())
	ap, err := h.app.MoveApplication(r.Context(), ac, id, binakerja.ApplicationStatus(strings.ToUpper(in.Status)), in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, applicationJSON(ap, isEmployer(ac)))
}

func (h *Handler) custodyFacts(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		OffenceGroup   string         `json:"offence_group"`
		LastDiscipline binakerja.Date `json:"last_discipline"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	f, err := h.app.SetCustodyFacts(r.Context(), route.ActorFrom(r.Context()), id, binakerja.CustodyFacts{
		Offence: binakerja.OffenceGroup(strings.ToUpper(in.OffenceGroup)), LastDiscipline: in.LastDiscipline})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"offence_group": f.Offence, "last_discipline": f.LastDiscipline})
}
