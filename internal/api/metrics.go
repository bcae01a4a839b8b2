package api

import (
	"net/http"

	"binakerja"
	"binakerja/internal/app"
	"binakerja/internal/route"
)

type funnel struct {
	Organization      string            `json:"organization,omitempty"`
	Program           string            `json:"program,omitempty"`
	From              binakerja.Date    `json:"from"`
	To                binakerja.Date    `json:"to"`
	AsOf              binakerja.Date    `json:"as_of"`
	Participants      *int              `json:"participants"`
	Completed         *int              `json:"completed"`
	Certified         *int              `json:"certified"`
	CertificationRate *float64          `json:"certification_rate"`
	CertifiedReleased *int              `json:"certified_released"`
	Placed            *int              `json:"placed"`
	PlacementRate     *float64          `json:"placement_rate"`
	Suppressed        map[string]string `json:"suppressed,omitempty"`
	Caution           []string          `json:"caution,omitempty"`
	TopCoded          []string          `json:"top_coded,omitempty"`
}

// metricsFunnel answers the seed report's two figures (spec/metrics.md).
func (h *Handler) metricsFunnel(w http.ResponseWriter, r *http.Request) error {
	q := app.FunnelQuery{Organization: r.URL.Query().Get("organization"), Program: r.URL.Query().Get("program")}
	var bad binakerja.Problems
	for name, d := range map[string]*binakerja.Date{"from": &q.From, "to": &q.To, "as_of": &q.AsOf} {
		v, err := dateParam(r, name)
		if err != nil {
			bad.Add(name, "date.format")
		}
		*d = v
	}
	if err := bad.Err(); err != nil {
		return err
	}
	f, err := h.app.MetricsFunnel(r.Context(), route.ActorFrom(r.Context()), q)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, funnel{Organization: f.Organization, Program: f.Program, From: f.From, To: f.To,
		AsOf: f.AsOf, Participants: f.Participants, Completed: f.Completed, Certified: f.Certified,
		CertificationRate: f.CertificationRate, CertifiedReleased: f.CertifiedReleased, Placed: f.Placed,
		PlacementRate: f.PlacementRate, Suppressed: f.Suppressed, Caution: f.Caution, TopCoded: f.TopCoded})
}
