package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"github.com/go-pdf/fpdf"
	"github.com/xuri/excelize/v2"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"binakerja/internal/app"
	"binakerja/internal/i18n"
)

// reportSection is one part of the outcomes report as the exports print
// it: a table under a title, with a chart above it in the PDF. A cell is
// an int (a count), a float64 (a share from 0 to 1) or a string ("<10"
// for a withheld count).
type reportSection struct {
	Title string
	Note  string
	Head  []string
	Rows  [][]any
	Chart *plot.Plot
	Prose bool // rows of text (definitions) rather than figures
}

// withheld is a count's cell: the count, "<10" when withheld for being
// small, "×" when withheld beside a small one, or empty.
func withheld(v *int, reason string) any {
	if v != nil {
		return *v
	}
	return outcomesData{}.Mark(reason)
}

// share is a rate's cell: the share, or empty.
func share(v *float64) any {
	if v == nil {
		return ""
	}
	return *v
}

// reasons says, in the report's language, which figures of a row are
// withheld and why.
func reasons(p *i18n.Printer, m map[string]string) string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, p.T("report.field."+k)+": "+strings.TrimSuffix(p.T("outcomes.withheld."+m[k]), "."))
	}
	return strings.Join(out, "; ")
}

// joinNonEmpty joins the parts that say something.
func joinNonEmpty(parts ...string) string {
	var out []string
	for _, x := range parts {
		if x != "" {
			out = append(out, x)
		}
	}
	return strings.Join(out, "; ")
}

// flags names a rate shown with a caution (30 to 99 people) or top-coded.
func flags(p *i18n.Printer, caution, topCoded []string) string {
	var out []string
	if slices.Contains(caution, "rate") {
		out = append(out, p.T("outcomes.caution"))
	}
	if slices.Contains(topCoded, "rate") {
		out = append(out, p.T("outcomes.top_coded"))
	}
	return strings.Join(out, "; ")
}

// outcomesReport lays out what the outcomes page shows, for the exports:
// the filters, as_of and the small-number rules first, the definitions
// last.
func outcomesReport(p *i18n.Printer, d *outcomesData, now time.Time) []reportSection {
	org := d.OrgName
	if d.Org == "" {
		org = p.T("outcomes.nation")
	} else {
		org += " (" + d.Org + ")"
	}
	f := d.Funnel
	out := []reportSection{{Title: p.T("report.filters"), Head: []string{p.T("report.field"), p.T("report.value")}, Rows: [][]any{
		{p.T("outcomes.organization"), org},
		{p.T("outcomes.from"), f.From.String()},
		{p.T("outcomes.to"), f.To.String()},
		{p.T("outcomes.as_of"), f.AsOf.String()},
		{p.T("report.generated"), now.In(time.FixedZone("WIB", 7*3600)).Format("2006-01-02 15:04 WIB")},
		{p.T("definitions.small_numbers"), p.T("definitions.small_numbers.text")},
	}}}
	funnel := reportSection{Title: p.T("outcomes.funnel", p.Day(f.From), p.Day(f.To), p.Day(f.AsOf)),
		Head: []string{p.T("outcomes.stage"), p.T("outcomes.people"), p.T("report.definition")}}
	for _, st := range d.Stages() {
		funnel.Rows = append(funnel.Rows, []any{p.T("outcomes.stage." + st.Key), withheld(st.Count, st.Withheld), p.T("outcomes.def." + st.Key)})
	}
	why := func(k string) string {
		if r := f.Suppressed[k]; r != "" {
			return p.T("outcomes.withheld." + r)
		}
		return ""
	}
	funnel.Rows = append(funnel.Rows, []any{p.T("outcomes.rate"), share(f.CertificationRate), why("certification_rate")},
		[]any{p.T("report.placement_rate"), share(f.PlacementRate), why("placement_rate")})
	out = append(out, funnel)
	ind := reportSection{Title: p.T("outcomes.indicators"), Note: p.T("outcomes.indicators.lead"),
		Head: []string{"ID", p.T("outcomes.indicator"), p.T("outcomes.numerator"), p.T("outcomes.denominator"), p.T("outcomes.value"),
			p.T("report.ci_low"), p.T("report.ci_high"), p.T("outcomes.maturity"), p.T("report.withheld")}}
	for _, m := range d.Metrics {
		value := share(m.Rate)
		switch {
		case m.Value != "":
			value = p.T("placement.wage." + m.Value)
		case m.Rate != nil && slices.Contains(m.TopCoded, "rate") && *m.Rate <= 0.05:
			value = "≤ " + p.Percent(0.05)
		case m.Rate != nil && slices.Contains(m.TopCoded, "rate"):
			value = "≥ " + p.Percent(0.95)
		}
		mature := p.T("outcomes.mature")
		if !m.Mature {
			mature = p.T("outcomes.not_mature", p.Day(m.MatureOn))
		}
		ind.Rows = append(ind.Rows, []any{m.ID, p.T("metric." + m.ID), withheld(m.Numerator, m.Suppressed["numerator"]),
			withheld(m.Denominator, m.Suppressed["denominator"]), value, share(m.Low), share(m.High), mature,
			joinNonEmpty(flags(p, m.Caution, m.TopCoded), reasons(p, m.Suppressed))})
	}
	out = append(out, ind)
	for _, b := range d.Breakdowns {
		if len(b.Rows) == 0 {
			continue
		}
		title := "outcomes.by_" + b.By
		s := reportSection{Title: p.T(title), Head: []string{p.T("outcomes.group." + b.By), p.T("outcomes.stage.participants"),
			p.T("outcomes.stage.completed"), p.T("outcomes.stage.certified"), p.T("outcomes.rate"), p.T("outcomes.stage.placed"),
			p.T("report.outside"), p.T("report.withheld")}}
		if b.By == "facility" {
			s.Note = p.T("outcomes.by_facility.lead")
			s.Chart, _ = funnelPlotOf(p, b)
		}
		for _, row := range b.Rows {
			name := row.Name
			switch {
			case b.By == "program":
				name += " (" + row.Key + ")"
			case b.By != "facility" && row.Key == "":
				name = p.T("outcomes.group.unknown")
			case b.By != "facility":
				name = p.T("outcomes." + b.By + "." + row.Key)
			}
			s.Rows = append(s.Rows, []any{name, withheld(row.Participants, row.Suppressed["participants"]),
				withheld(row.Completed, row.Suppressed["completed"]), withheld(row.Certified, row.Suppressed["certified"]),
				share(row.CertificationRate), withheld(row.Placed, row.Suppressed["placed"]), row.Outside, reasons(p, row.Suppressed)})
		}
		out = append(out, s)
	}
	for _, t := range d.Trends {
		s := reportSection{Title: p.T("outcomes.trends") + ": " + t.ID + " " + p.T("metric."+t.ID), Note: p.T("outcomes.trends.lead"),
			Head: []string{p.T("outcomes.quarter"), p.T("outcomes.numerator"), p.T("outcomes.denominator"), p.T("outcomes.value"),
				p.T("report.ci_low"), p.T("report.ci_high"), p.T("report.withheld")}}
		s.Chart, _ = trendPlot(p, t)
		for _, m := range t.Points {
			s.Rows = append(s.Rows, []any{p.T("outcomes.quarter_of", d.QuarterOf(m.From), d.Year(m.From)),
				withheld(m.Numerator, m.Suppressed["numerator"]), withheld(m.Denominator, m.Suppressed["denominator"]),
				share(m.Rate), share(m.Low), share(m.High), reasons(p, m.Suppressed)})
		}
		out = append(out, s)
	}
	for _, sv := range d.Survival {
		s := reportSection{Title: p.T("outcomes.survival." + sv.Kind), Note: p.T("outcomes.survival."+sv.Kind+".lead", p.Day(sv.From), p.Day(sv.To)),
			Head: []string{p.T("outcomes.survival.group"), "n"}}
		s.Chart, _ = survivalPlot(p, sv)
		for _, pt := range sv.Groups[0].AtRisk {
			s.Head = append(s.Head, p.T("outcomes.survival.day", pt.Day))
		}
		for _, g := range sv.Groups {
			row := []any{p.T("outcomes.status." + g.Status)}
			if g.Withheld != "" {
				row = append(row, p.T("outcomes.withheld."+g.Withheld))
			} else {
				row = append(row, g.N)
			}
			for _, pt := range g.AtRisk {
				if g.Withheld != "" {
					row = append(row, "")
					continue
				}
				est := d.Percent2(pt.Estimate)
				if pt.Beyond {
					est = "—"
				}
				row = append(row, d.Count(pt.AtRisk)+" / "+est)
			}
			s.Rows = append(s.Rows, row)
		}
		out = append(out, s)
	}
	com := reportSection{Title: p.T("outcomes.commitments"), Note: p.T("outcomes.commitments.lead", p.Day(f.AsOf)),
		Head: []string{p.T("outcomes.commitments.agreement"), p.T("outcomes.commitments.kind"), p.T("outcomes.commitments.target"),
			p.T("outcomes.commitments.expected"), p.T("outcomes.commitments.actual"), p.T("outcomes.commitments.status")}}
	for _, c := range d.Commitments {
		status := p.T("outcomes.commitments.on_track")
		if !c.OnTrack {
			status = p.T("outcomes.commitments.behind")
		}
		var actual any = c.Commitment.Actual
		if c.Withheld {
			actual = "<10"
		}
		com.Rows = append(com.Rows, []any{c.Agreement.Number + " · " + c.Agreement.Title, p.T("commitment." + string(c.Commitment.Kind)),
			strconv.Itoa(c.Commitment.Target), strconv.Itoa(c.Expected), actual, status})
	}
	out = append(out, com)
	if ef := d.Effect; ef != nil {
		s := reportSection{Title: p.T("effect.title"), Note: p.T("effect.lead") + " " + d.EffectSummary(),
			Head: []string{p.T("effect.outcome"), p.T("effect.n"), p.T("effect.participants"), p.T("effect.comparison"),
				p.T("effect.difference"), p.T("report.ci_low"), p.T("report.ci_high"), p.T("effect.significant")}}
		for _, o := range ef.Outcomes {
			sig := p.T("effect.inconclusive")
			if o.Significant {
				sig = p.T("effect.significant")
			}
			s.Rows = append(s.Rows, []any{p.T("effect.outcome." + o.ID), o.N, share(o.Participants), share(o.Comparison),
				share(o.Difference), share(o.Low), share(o.High), sig})
		}
		out = append(out, s)
		if ef.Enough {
			b := reportSection{Title: p.T("effect.balance"), Note: p.T("effect.balance.lead"), Head: []string{p.T("effect.covariate"),
				p.T("effect.participants"), p.T("effect.pool"), p.T("effect.matched"), p.T("effect.smd_before"), p.T("effect.smd_after")}}
			for _, x := range ef.Balance {
				b.Rows = append(b.Rows, []any{p.T("effect.cov." + x.Covariate), fmt.Sprintf("%.2f", x.Participants),
					fmt.Sprintf("%.2f", x.Before), fmt.Sprintf("%.2f", x.After), fmt.Sprintf("%.2f", x.SMDBefore), fmt.Sprintf("%.2f", x.SMDAfter)})
			}
			out = append(out, b)
		}
	}
	q := reportSection{Title: p.T("outcomes.quality"), Note: p.T("outcomes.quality.lead"), Head: []string{p.T("outcomes.quality.measure"),
		p.T("outcomes.quality.count"), p.T("outcomes.quality.of"), p.T("outcomes.quality.share"), p.T("report.withheld")}}
	for _, it := range d.Quality {
		rate := share(it.Rate)
		if it.TopCoded && *it.Rate <= 0.05 {
			rate = "≤ " + p.Percent(0.05)
		} else if it.TopCoded {
			rate = "≥ " + p.Percent(0.95)
		}
		q.Rows = append(q.Rows, []any{p.T("outcomes.quality." + it.Key), withheld(it.Count, it.Suppressed["count"]),
			withheld(it.Of, it.Suppressed["of"]), rate, reasons(p, it.Suppressed)})
	}
	out = append(out, q)
	defs := reportSection{Title: p.T("definitions.title"), Note: p.T("definitions.lead"), Prose: true,
		Head: []string{"ID", p.T("outcomes.indicator"), p.T("report.definition"), p.T("definitions.maturity")}}
	for _, st := range d.Stages() {
		defs.Rows = append(defs.Rows, []any{"", p.T("outcomes.stage." + st.Key), p.T("outcomes.def." + st.Key), ""})
	}
	for _, id := range append(slices.Clone(app.MetricIDs), "P1") {
		defs.Rows = append(defs.Rows, []any{id, p.T("metric." + id), p.T("metric." + id + ".definition"), p.T("metric." + id + ".maturity")})
	}
	return append(out, defs)
}

// text is a cell as text: a share to four places.
func text(v any) string {
	switch v := v.(type) {
	case int:
		return strconv.Itoa(v)
	case float64:
		return strconv.FormatFloat(v, 'f', 4, 64)
	case string:
		return v
	}
	return fmt.Sprint(v)
}

// csvSafe keeps a spreadsheet from reading a cell as a formula: one that
// begins with =, +, -, @, a tab or a carriage return is prefixed with '.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// outcomesExport answers the outcomes report as CSV, XLSX or PDF, under
// the small-number rules whoever asks: an export leaves the operational
// system.
func (h *Handler) outcomesExport(format string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		d, err := h.loadOutcomes(r, true)
		if err != nil {
			return err
		}
		p := h.newPage(w, r, "", nil).Printer
		d.P = p
		sections := outcomesReport(p, d, time.Now())
		name := "capaian-" + strings.ToLower(cmpOr(d.Org, "nasional")) + "-" + d.From + "-" + d.To
		var buf bytes.Buffer
		var ctype string
		switch format {
		case "csv":
			ctype = "text/csv; charset=utf-8"
			err = writeReportCSV(&buf, sections)
		case "xlsx":
			ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
			err = writeReportXLSX(&buf, sections)
		default:
			ctype = "application/pdf"
			err = writeReportPDF(&buf, p, p.T("outcomes.title")+": "+sections[0].Rows[0][1].(string), sections)
		}
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+"."+format+`"`)
		w.Header().Set("Cache-Control", "private, no-store")
		_, err = buf.WriteTo(w)
		return err
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// writeReportCSV writes the sections one after another, each its title, its
// note, its head and rows, and a blank line.
func writeReportCSV(buf *bytes.Buffer, sections []reportSection) error {
	cw := csv.NewWriter(buf)
	for _, s := range sections {
		recs := [][]string{{csvSafe(s.Title)}}
		if s.Note != "" {
			recs = append(recs, []string{csvSafe(s.Note)})
		}
		head := make([]string, len(s.Head))
		for i, h := range s.Head {
			head[i] = csvSafe(h)
		}
		recs = append(recs, head)
		for _, row := range s.Rows {
			rec := make([]string, len(row))
			for i, c := range row {
				rec[i] = csvSafe(text(c))
			}
			recs = append(recs, rec)
		}
		if err := cw.WriteAll(append(recs, []string{})); err != nil {
			return err
		}
	}
	return nil
}

// writeReportXLSX writes a sheet per section: counts as numbers, shares as
// percentages, and text as text (never a formula).
func writeReportXLSX(buf *bytes.Buffer, sections []reportSection) error {
	f := excelize.NewFile()
	defer f.Close()
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 10}) // 0.00%
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	used := map[string]bool{}
	for i, s := range sections {
		name := sheetName(s.Title, used)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		row := 1
		put := func(cells []any, style int) error {
			for c, v := range cells {
				ref, err := excelize.CoordinatesToCellName(c+1, row)
				if err != nil {
					return err
				}
				switch v := v.(type) {
				case string:
					err = f.SetCellStr(name, ref, v)
				default:
					err = f.SetCellValue(name, ref, v)
				}
				if err != nil {
					return err
				}
				st := style
				if _, ok := v.(float64); ok {
					st = pct
				}
				if st != 0 {
					if err := f.SetCellStyle(name, ref, ref, st); err != nil {
						return err
					}
				}
			}
			row++
			return nil
		}
		head := make([]any, len(s.Head))
		for i, h := range s.Head {
			head[i] = h
		}
		lines := [][]any{{s.Title}}
		if s.Note != "" {
			lines = append(lines, []any{s.Note})
		}
		for _, l := range lines {
			if err := put(l, bold); err != nil {
				return err
			}
		}
		row++
		if err := put(head, bold); err != nil {
			return err
		}
		for _, r := range s.Rows {
			if err := put(r, 0); err != nil {
				return err
			}
		}
		if err := f.SetColWidth(name, "A", "A", 36); err != nil {
			return err
		}
	}
	_, err = f.WriteTo(buf)
	return err
}

// sheetName is a section's title as a sheet name: at most 31 characters,
// none of []:*?/\, and unlike the others.
func sheetName(title string, used map[string]bool) string {
	clean := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return ' '
		}
		return r
	}, title)
	clean = strings.Join(strings.Fields(clean), " ")
	// At most 28 characters, cut between words.
	base := ""
	for _, w := range strings.Fields(clean) {
		next := strings.TrimSpace(base + " " + w)
		if len([]rune(next)) > 28 {
			break
		}
		base = next
	}
	if base == "" {
		base = string([]rune(clean)[:min(28, len([]rune(clean)))])
	}
	name := base
	for n := 2; used[name]; n++ {
		name = base + " " + strconv.Itoa(n)
	}
	used[name] = true
	return name
}

// writeReportPDF prints the sections on A4 pages: each chart as an image,
// each table in small type, in a Unicode face so that every letter prints.
func writeReportPDF(buf *bytes.Buffer, pr *i18n.Printer, title string, sections []reportSection) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("sans", "", liberationsansregular.TTF)
	pdf.AddUTF8FontFromBytes("sans", "B", liberationsansbold.TTF)
	pdf.SetMargins(12, 12, 12)
	pdf.SetAutoPageBreak(true, 12)
	pdf.SetFooterFunc(func() {
		pdf.SetY(-10)
		pdf.SetFont("sans", "", 7)
		pdf.CellFormat(0, 4, title+" · "+strconv.Itoa(pdf.PageNo()), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	pdf.SetFont("sans", "B", 15)
	pdf.MultiCell(0, 7, title, "", "L", false)
	pdf.Ln(2)
	width := 186.0
	for i, s := range sections {
		if s.Chart != nil || s.Prose || i > 0 && pdf.GetY() > 230 {
			pdf.AddPage()
		}
		pdf.SetFont("sans", "B", 11)
		pdf.MultiCell(0, 5.5, s.Title, "", "L", false)
		if s.Note != "" {
			pdf.SetFont("sans", "", 8)
			pdf.MultiCell(0, 4, s.Note, "", "L", false)
		}
		pdf.Ln(1)
		if s.Chart != nil {
			png, err := chartPNG(s.Chart)
			if err != nil {
				return err
			}
			img := "chart" + strconv.Itoa(i)
			pdf.RegisterImageOptionsReader(img, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
			pdf.ImageOptions(img, 12, pdf.GetY(), 160, 90, true, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
			pdf.Ln(2)
		}
		if s.Prose {
			for _, row := range s.Rows {
				pdf.SetFont("sans", "B", 8.5)
				pdf.MultiCell(0, 4.2, strings.TrimSpace(text(row[0])+" "+text(row[1])), "", "L", false)
				pdf.SetFont("sans", "", 8)
				pdf.MultiCell(0, 4, text(row[2]), "", "L", false)
				if m := text(row[3]); m != "" {
					pdf.MultiCell(0, 4, s.Head[3]+": "+m, "", "L", false)
				}
				pdf.Ln(1.5)
			}
			continue
		}
		// The first column takes what the others leave, at least a third.
		n := len(s.Head)
		other := width / float64(n+1)
		first := width - other*float64(n-1)
		cols := func(j int) float64 {
			if j == 0 {
				return first
			}
			return other
		}
		pdf.SetFont("sans", "B", 7.5)
		y := pdf.GetY()
		for j, hd := range s.Head {
			pdf.SetXY(12+first+other*float64(j-1), y)
			if j == 0 {
				pdf.SetX(12)
			}
			pdf.MultiCell(cols(j), 3.6, hd, "B", "L", false)
		}
		pdf.SetY(y + 3.6*float64(maxLines(pdf, s.Head, cols)))
		pdf.SetFont("sans", "", 7.5)
		for _, row := range s.Rows {
			cells := make([]string, len(row))
			for j, c := range row {
				cells[j] = pdfCell(pr, c)
			}
			h := 3.8 * float64(maxLines(pdf, cells, cols))
			if pdf.GetY()+h > 285 {
				pdf.AddPage()
			}
			y := pdf.GetY()
			for j, c := range cells {
				x := 12.0
				if j > 0 {
					x = 12 + first + other*float64(j-1)
				}
				pdf.SetXY(x, y)
				align := "L"
				if j > 0 && numeric(row[j]) {
					align = "R"
				}
				pdf.MultiCell(cols(j), 3.8, c, "", align, false)
			}
			pdf.SetY(y + h)
		}
		pdf.Ln(3)
	}
	return pdf.Output(buf)
}

// pdfCell is a cell as the PDF prints it: a share as a percentage, in the
// report's language.
func pdfCell(p *i18n.Printer, v any) string {
	switch v := v.(type) {
	case float64:
		return p.Percent(v)
	case int:
		return p.Number(int64(v))
	}
	return text(v)
}

// numeric reports whether a cell is a figure, right-aligned in the PDF.
func numeric(v any) bool {
	switch v := v.(type) {
	case int, float64:
		return true
	case string:
		return v == "<10" || v == "×" || strings.HasPrefix(v, "≤ ") || strings.HasPrefix(v, "≥ ")
	}
	return false
}

// maxLines is how many lines the tallest of a row's cells takes.
func maxLines(pdf *fpdf.Fpdf, cells []string, cols func(int) float64) int {
	most := 1
	for j, c := range cells {
		most = max(most, len(pdf.SplitText(c, cols(j)-1)))
	}
	return most
}

// chartPNG draws a chart as a PNG image for the PDF.
func chartPNG(pl *plot.Plot) ([]byte, error) {
	c := vgimg.NewWith(vgimg.UseWH(16*vg.Centimeter, 9*vg.Centimeter), vgimg.UseDPI(150))
	pl.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
