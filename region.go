package binakerja

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Region is a province or regency of the Kemendagri list (data/wilayah.csv),
// with its approximate centre.
type Region struct {
	Code   string
	Parent string // the province of a regency; empty for a province
	Name   string
	Lat    float64
	Lng    float64
}

//go:embed data/wilayah.csv
var wilayahCSV []byte

var regions = func() map[string]Region {
	recs, err := csv.NewReader(bytes.NewReader(wilayahCSV)).ReadAll()
	if err != nil || len(recs) < 2 {
		panic(fmt.Sprintf("data/wilayah.csv: %v", err))
	}
	out := make(map[string]Region, len(recs))
	for _, r := range recs[1:] {
		if len(r) < 6 {
			panic("data/wilayah.csv: short row " + strings.Join(r, ","))
		}
		lat, err1 := strconv.ParseFloat(r[4], 64)
		lng, err2 := strconv.ParseFloat(r[5], 64)
		if err1 != nil || err2 != nil {
			panic("data/wilayah.csv: bad row " + strings.Join(r, ","))
		}
		out[r[0]] = Region{Code: r[0], Parent: r[1], Name: r[3], Lat: lat, Lng: lng}
	}
	return out
}()

// RegionOf returns the province or regency that a region code names or lies
// under: "16.08.01" lies in the regency 16.08. ok is false for a code under
// no listed region.
func RegionOf(code string) (Region, bool) {
	code = strings.TrimSpace(code)
	if len(code) >= 5 {
		if r, ok := regions[code[:5]]; ok {
			return r, true
		}
		return Region{}, false
	}
	r, ok := regions[code]
	return r, ok
}

// KnownRegion reports whether code is a Kemendagri province or regency code
// of the list, or a longer code (district, village) under a listed regency.
func KnownRegion(code string) bool {
	if !ValidRegionCode(code) {
		return false
	}
	_, ok := RegionOf(code)
	return ok
}

// RegionWithin reports whether the region code inner lies in the region
// outer (a province holds its regencies; a regency its districts).
func RegionWithin(inner, outer string) bool {
	if outer == "" || inner == "" {
		return false
	}
	return inner == outer || strings.HasPrefix(inner, outer+".")
}

// RegionDistanceKm returns the great-circle distance between the centres of
// the regions of two codes, in kilometres; ok is false when either is not
// known.
func RegionDistanceKm(a, b string) (km float64, ok bool) {
	ra, okA := RegionOf(a)
	rb, okB := RegionOf(b)
	if !okA || !okB {
		return 0, false
	}
	if ra.Code == rb.Code {
		return 0, true
	}
	const earthKm = 6371.0
	rad := math.Pi / 180
	dLat, dLng := (rb.Lat-ra.Lat)*rad, (rb.Lng-ra.Lng)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(ra.Lat*rad)*math.Cos(rb.Lat*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earthKm * math.Asin(math.Min(1, math.Sqrt(h))), true
}

// RegenciesOf returns the regencies and cities of a province, by code.
func RegenciesOf(province string) []Region {
	var out []Region
	for _, r := range regions {
		if r.Parent == province {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b Region) int { return strings.Compare(a.Code, b.Code) })
	return out
}
