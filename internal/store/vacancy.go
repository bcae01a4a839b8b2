package store

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"

	"binakerja"
)

// CreateVacancy inserts a vacancy with its units and sets its id.
func (tx *Tx) CreateVacancy(ctx context.Context, v *binakerja.Vacancy, employerID, officeID int64) error {
	v.CreatedAt, v.UpdatedAt, v.Version = tx.Now, tx.Now, 1
	var agreement sql.NullInt64
	if v.AgreementID != 0 {
		agreement = sql.NullInt64{Int64: v.AgreementID, Valid: true}
	}
	err := tx.q.QueryRowContext(ctx, `INSERT INTO vacancies (employer_id, labour_office_id, agreement_id, title,
		description, kbji_code, kkni_level, places, region_code, wage_min, wage_max, contract_type, start_date,
		closing_date, status, created_at, updated_at, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, 1) RETURNING id`,
		employerID, officeID, agreement, v.Title, v.Description, v.KBJICode, v.KKNILevel, v.Places, v.RegionCode,
		v.WageMin, v.WageMax, v.ContractType, v.StartDate, v.ClosingDate, v.Status, tx.Now).Scan(&v.ID)
	if err != nil {
		return mapError(err)
	}
	return tx.writeVacancyUnits(ctx, v)
}

func (tx *Tx) writeVacancyUnits(ctx context.Context, v *binakerja.Vacancy) error {
	if _, err := tx.q.ExecContext(ctx, `DELETE FROM vacancy_units WHERE vacancy_id = $1`, v.ID); err != nil {
		return mapError(err)
	}
	for i, u := range v.Units() {
		if _, err := tx.q.ExecContext(ctx, `INSERT INTO vacancy_units (vacancy_id, unit_code, required, position)
			VALUES ($1, $2, $3, $4)`, v.ID, u, i < len(v.RequiredUnits), i); err != nil {
			return mapError(err)
		}
	}
	return nil
}

// UpdateVacancy writes the changeable fields of a vacancy and its units if
// the stored version is still v.Version.
func (tx *Tx) UpdateVacancy(ctx context.Context, v *binakerja.Vacancy) error {
	res, err := tx.q.ExecContext(ctx, `UPDATE vacancies SET title = $1, description = $2, kbji_code = $3,
		kkni_level = $4, places = $5, region_code = $6, wage_min = $7, wage_max = $8, contract_type = $9,
		start_date = $10, closing_date = $11, status = $12, updated_at = $13, version = version + 1
		WHERE id = $14 AND version = $15`,
		v.Title, v.Description, v.KBJICode, v.KKNILevel, v.Places, v.RegionCode, v.WageMin, v.WageMax,
		v.ContractType, v.StartDate, v.ClosingDate, v.Status, tx.Now, v.ID, v.Version)
	if err != nil {
		return mapError(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return binakerja.Errorf(binakerja.Conflict, "error.stale")
	}
	v.Version++
	v.UpdatedAt = tx.Now
	return tx.writeVacancyUnits(ctx, v)
}

const vacancyColumns = `v.id, e.code, e.name, e.path, l.code, l.path, l.region_code, COALESCE(v.agreement_id, 0),
	v.title, v.description, v.kbji_code, v.kkni_level, v.places, v.region_code, v.wage_min, v.wage_max,
	v.contract_type, v.start_date, v.closing_date, v.status, v.created_at, v.updated_at, v.version`

const vacancyFrom = ` FROM vacancies v JOIN organizations e ON e.id = v.employer_id
	JOIN organizations l ON l.id = v.labour_office_id`

func scanVacancy(row interface{ Scan(...any) error }) (*binakerja.Vacancy, error) {
	var v binakerja.Vacancy
	err := row.Scan(&v.ID, &v.Employer, &v.EmployerName, &v.EmployerPath, &v.LabourOffice, &v.OfficePath,
		&v.OfficeRegion, &v.AgreementID, &v.Title, &v.Description, &v.KBJICode, &v.KKNILevel, &v.Places, &v.RegionCode,
		&v.WageMin, &v.WageMax, &v.ContractType, &v.StartDate, &v.ClosingDate, &v.Status, &v.CreatedAt, &v.UpdatedAt,
		&v.Version)
	if err != nil {
		return nil, mapError(err)
	}
	v.CreatedAt, v.UpdatedAt = v.CreatedAt.UTC(), v.UpdatedAt.UTC()
	return &v, nil
}

// Vacancy returns a vacancy with its units.
func (q Queries) Vacancy(ctx context.Context, id int64) (*binakerja.Vacancy, error) {
	v, err := scanVacancy(q.q.QueryRowContext(ctx, `SELECT `+vacancyColumns+vacancyFrom+` WHERE v.id = $1`, id))
	if err != nil {
		return nil, err
	}
	rows, err := q.q.QueryContext(ctx, `SELECT unit_code, required FROM vacancy_units WHERE vacancy_id = $1
		ORDER BY position`, id)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var u string
		var req bool
		if err := rows.Scan(&u, &req); err != nil {
			return nil, mapError(err)
		}
		if req {
			v.RequiredUnits = append(v.RequiredUnits, u)
		} else {
			v.OptionalUnits = append(v.OptionalUnits, u)
		}
	}
	return v, mapError(rows.Err())
}

// VacancyFilter selects vacancies for a list.
type VacancyFilter struct {
	Within   []string // employer or labour office in one of these subtrees
	All      bool
	Employer string
	Status   binakerja.VacancyStatus
	Query    string // a word of the title
	Page     Page
}

// VacancyItem is a vacancy in a list, with its pipeline counted.
type VacancyItem struct {
	*binakerja.Vacancy
	Applications int
	Hired        int
}

// Vacancies lists vacancies, newest first.
func (q Queries) Vacancies(ctx context.Context, f VacancyFilter) ([]VacancyItem, string, error) {
	c, err := decodeCursor(f.Page.Cursor)
	if err != nil {
		return nil, "", err
	}
	var where []string
	var args []any
	if !f.All {
		var a, b []string
		a, args = scopeClause(nil, args, "e.path", f.Within, false)
		b, args = scopeClause(nil, args, "l.path", f.Within, false)
		where = append(where, "("+a[0]+" OR "+b[0]+")")
	}
	if f.Employer != "" {
		args = append(args, binakerja.NormalizeOrgCode(f.Employer))
		where = append(where, `e.code = $`+strconv.Itoa(len(args)))
	}
	if f.Status != "" {
		args = append(args, f.Status)
		where = append(where, `v.status = $`+strconv.Itoa(len(args)))
	}
	if s := strings.TrimSpace(f.Query); s != "" {
		args = append(args, "%"+binakerja.EscapeLike(strings.ToLower(s))+"%")
		where = append(where, `LOWER(v.title) LIKE $`+strconv.Itoa(len(args))+` ESCAPE '\'`)
	}
	if f.Page.Cursor != "" {
		args = append(args, c.ID)
		where = append(where, `v.id < $`+strconv.Itoa(len(args)))
	}
	query := `SELECT ` + vacancyColumns + `,
		(SELECT COUNT(*) FROM applications a WHERE a.vacancy_id = v.id),
		(SELECT COUNT(*) FROM applications a WHERE a.vacancy_id = v.id AND a.status = 'HIRED')` + vacancyFrom
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	limit := f.Page.limit()
	args = append(args, limit+1)
	query += ` ORDER BY v.id DESC LIMIT $` + strconv.Itoa(len(args))
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, "", mapError(err)
	}
	return pageOf(rows, limit, func(rows *sql.Rows) (VacancyItem, cursor, error) {
		var v binakerja.Vacancy
		var it VacancyItem
		err := rows.Scan(&v.ID, &v.Employer, &v.EmployerName, &v.EmployerPath, &v.LabourOffice, &v.OfficePath,
			&v.OfficeRegion, &v.AgreementID, &v.Title, &v.Description, &v.KBJICode, &v.KKNILevel, &v.Places, &v.RegionCode,
			&v.WageMin, &v.WageMax, &v.ContractType, &v.StartDate, &v.ClosingDate, &v.Status, &v.CreatedAt, &v.UpdatedAt,
			&v.Version, &it.Applications, &it.Hired)
		if err != nil {
			return it, cursor{}, err
		}
		v.CreatedAt, v.UpdatedAt = v.CreatedAt.UTC(), v.UpdatedAt.UTC()
		it.Vacancy = &v
		return it, cursor{ID: v.ID}, nil
	})
}

// UnknownUnits returns those of the codes that are not in the catalogue.
func (q Queries) UnknownUnits(ctx context.Context, codes []string) ([]string, error) {
	known := map[string]bool{}
	for chunk := range slices.Chunk(codes, 200) {
		var ph []string
		var args []any
		for _, c := range chunk {
			args = append(args, c)
			ph = append(ph, "$"+strconv.Itoa(len(args)))
		}
		rows, err := q.q.QueryContext(ctx, `SELECT code FROM units WHERE code IN (`+strings.Join(ph, ", ")+`)`, args...)
		if err != nil {
			return nil, mapError(err)
		}
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				rows.Close()
				return nil, mapError(err)
			}
			known[c] = true
		}
		rows.Close()
	}
	var out []string
	for _, c := range codes {
		if !known[c] {
			out = append(out, c)
		}
	}
	return out, nil
}

// SchemeUnitCodes returns the unit codes of a scheme.
func (q Queries) SchemeUnitCodes(ctx context.Context, scheme string) ([]string, error) {
	s, err := q.Scheme(ctx, scheme)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, u := range s.Units {
		out = append(out, u.Code)
	}
	return out, nil
}
