package api

import (
	"net/http"
	"time"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/route"
	"binakerja/internal/store"
)

type organization struct {
	ID            int64     `json:"id"`
	Code          string    `json:"code"`
	Name          string    `json:"name"`
	Kind          string    `json:"kind"`
	RegionCode    string    `json:"region_code"`
	Parent        string    `json:"parent,omitempty"`
	FacilityType  string    `json:"facility_type,omitempty"`
	FacilityClass string    `json:"facility_class,omitempty"`
	EmployerSize  string    `json:"employer_size,omitempty"`
	Active        bool      `json:"active"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	Version       int       `json:"version"`
}

func orgJSON(o *binakerja.Organization) organization {
	return organization{ID: o.ID, Code: o.Code, Name: o.Name, Kind: string(o.Kind), RegionCode: o.RegionCode,
		Parent: o.Parent, FacilityType: o.FacilityType, FacilityClass: o.FacilityClass, EmployerSize: o.EmployerSize,
		Active: o.Active, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, Version: o.Version}
}

type orgInput struct {
	Code          string  `json:"code"`
	Name          string  `json:"name"`
	Kind          string  `json:"kind"`
	RegionCode    string  `json:"region_code"`
	Parent        *string `json:"parent"`
	FacilityType  *string `json:"facility_type"`
	FacilityClass *string `json:"facility_class"`
	EmployerSize  *string `json:"employer_size"`
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (h *Handler) orgCreate(w http.ResponseWriter, r *http.Request) error {
	var in orgInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	o, err := h.app.CreateOrganization(r.Context(), route.ActorFrom(r.Context()), &binakerja.Organization{
		Code: in.Code, Name: in.Name, Kind: binakerja.OrgKind(in.Kind), RegionCode: in.RegionCode,
		Parent: deref(in.Parent), FacilityType: deref(in.FacilityType), FacilityClass: deref(in.FacilityClass),
		EmployerSize: deref(in.EmployerSize),
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/organizations/"+o.Code)
	return writeJSON(w, http.StatusCreated, orgJSON(o))
}

func (h *Handler) orgList(w http.ResponseWriter, r *http.Request) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	kind := binakerja.OrgKind(q.Get("kind"))
	if kind != "" && !kind.Valid() {
		return binakerja.FieldInvalid("kind", "org.kind.invalid")
	}
	orgs, next, err := h.app.Organizations(r.Context(), route.ActorFrom(r.Context()), store.OrgFilter{
		Query: q.Get("q"), Kind: kind, Parent: q.Get("parent"), Region: q.Get("region_code"), Page: pg})
	if err != nil {
		return err
	}
	out := list[organization]{Items: []organization{}, NextCursor: next}
	for _, o := range orgs {
		out.Items = append(out.Items, orgJSON(o))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (h *Handler) orgShow(w http.ResponseWriter, r *http.Request) error {
	o, err := h.app.Organization(r.Context(), route.ActorFrom(r.Context()), r.PathValue("code"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, orgJSON(o))
}

type orgUpdateInput struct {
	Name          string `json:"name"`
	RegionCode    string `json:"region_code"`
	FacilityType  string `json:"facility_type"`
	FacilityClass string `json:"facility_class"`
	EmployerSize  string `json:"employer_size"`
	Active        *bool  `json:"active"`
	Version       int    `json:"version"`
}

func (h *Handler) orgUpdate(w http.ResponseWriter, r *http.Request) error {
	var in orgUpdateInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Version < 1 {
		return binakerja.FieldInvalid("version", "field.required")
	}
	active := in.Active == nil || *in.Active
	o, err := h.app.UpdateOrganization(r.Context(), route.ActorFrom(r.Context()), r.PathValue("code"), app.OrgChange{
		Name: in.Name, RegionCode: in.RegionCode, FacilityType: in.FacilityType, FacilityClass: in.FacilityClass,
		EmployerSize: in.EmployerSize, Active: active, Version: in.Version})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, orgJSON(o))
}
