package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"binakerja"
)

// Notice kinds. A notice is addressed to an organisation; its people with a
// working role there (every role but analyst) read it in the application
// and get it by e-mail.
const (
	// NoticeReadmittedElsewhere: someone released from the organisation was
	// admitted again at another facility.
	NoticeReadmittedElsewhere = "readmitted_elsewhere"
	// NoticeReadmitted: someone the organisation mentors after release was
	// admitted again; their follow-ups are closed.
	NoticeReadmitted = "readmitted"
	// NoticeHandover: a released participant was handed over to the
	// organisation, to be acknowledged.
	NoticeHandover = "handover"
	// NoticeHandoverStale: a hand-over is still unacknowledged after a week
	// (told to both sides).
	NoticeHandoverStale = "handover_stale"
	// NoticeFollowUpDue and NoticeFollowUpOverdue: a follow-up is due, or
	// past its grace.
	NoticeFollowUpDue     = "followup_due"
	NoticeFollowUpOverdue = "followup_overdue"
	// NoticeAgreementEnding: an agreement in force ends within 30 days.
	NoticeAgreementEnding = "agreement_ending"
	// NoticeCertificateExpiring: a certificate the body issued expires
	// within 90 days.
	NoticeCertificateExpiring = "certificate_expiring"
	// NoticeReleaseNoPlan: someone is due for release within 30 days
	// without a plan for work.
	NoticeReleaseNoPlan = "release_no_plan"
)

// Notice is something an organisation's people should know.
type Notice struct {
	ID           int64
	Org          string
	OrgName      string
	Kind         string
	Ref          string // what it is about, as kind:id ("followup:12"); empty for none
	PersonID     int64  // 0 for none
	PersonName   string
	Registration string // the person's registration number in their last stay at the organisation
	CreatedAt    time.Time
	Read         bool // read by the user listing it
}

// AddNotice tells the organisation with the given code something of a kind
// about a person (0 for none). A notice with a ref is written once: the same
// organisation, kind and ref again adds nothing, and added is false.
func (tx *Tx) AddNotice(ctx context.Context, org, kind string, personID int64, ref string) (id int64, added bool, err error) {
	err = tx.q.QueryRowContext(ctx, `INSERT INTO notices (organization_id, kind, person_id, ref, created_at)
		SELECT id, $1, $2, $3, $4 FROM organizations WHERE code = $5
		ON CONFLICT (organization_id, kind, ref) WHERE ref <> '' DO NOTHING
		RETURNING id`, kind, nullID(personID), ref, tx.Now, org).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, mapError(err)
}

// Recipient is a person told of a notice.
type Recipient struct {
	UserID int64
	Email  string
	Name   string
	Lang   string
}

// NoticeRecipients lists the active users with a working role (any but
// analyst) at the organisation with the given code.
func (q Queries) NoticeRecipients(ctx context.Context, org string) ([]Recipient, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT DISTINCT u.id, u.email, u.name, u.lang
		FROM user_roles r JOIN users u ON u.id = r.user_id JOIN organizations o ON o.id = r.organization_id
		WHERE o.code = $1 AND u.active AND r.role <> 'analyst' ORDER BY u.id`, org)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []Recipient
	for rows.Next() {
		var r Recipient
		if err := rows.Scan(&r.UserID, &r.Email, &r.Name, &r.Lang); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, mapError(rows.Err())
}

// NoticeFilter selects notices: those of the organisations within the given
// subtrees, or those addressed to a user.
type NoticeFilter struct {
	Within []string
	All    bool
	// User, when set, selects the notices addressed to the user (of the
	// organisations where they hold a working role) and says which they
	// have read; Within and All are then not used.
	User   int64
	Unread bool // with User: only those not yet read
	Page   Page // the cursor continues below the last id: newest first
}

// readMark is the id up to which the user ($1) has read their notices.
const readMark = "(SELECT u.notices_read_to FROM users u WHERE u.id = $1)"

func (f NoticeFilter) where() ([]string, []any) {
	where := []string{"1 = 1"}
	var args []any
	if f.User != 0 {
		args = append(args, f.User)
		where = append(where, `n.organization_id IN (SELECT r.organization_id FROM user_roles r
			WHERE r.user_id = $1 AND r.role <> 'analyst' AND r.organization_id IS NOT NULL)`)
		if f.Unread {
			where = append(where, "n.id > "+readMark)
		}
		return where, args
	}
	return scopeClause(where, args, "o.path", f.Within, f.All)
}

// Notices lists notices, newest first.
func (q Queries) Notices(ctx context.Context, f NoticeFilter) ([]*Notice, string, error) {
	c, err := decodeCursor(f.Page.Cursor)
	if err != nil {
		return nil, "", err
	}
	where, args := f.where()
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Page.Cursor != "" {
		where = append(where, "n.id < "+arg(c.ID))
	}
	read := "FALSE"
	if f.User != 0 {
		read = "n.id <= " + readMark
	}
	limit := f.Page.limit()
	rows, err := q.q.QueryContext(ctx, `SELECT n.id, o.code, o.name, n.kind, n.ref, coalesce(n.person_id, 0),
		coalesce(p.name, ''), coalesce((SELECT e.registration_number FROM custody_episodes e
			WHERE e.person_id = n.person_id AND e.facility_id = n.organization_id
			ORDER BY e.admission_date DESC, e.id DESC LIMIT 1), ''), n.created_at, `+read+`
		FROM notices n JOIN organizations o ON o.id = n.organization_id LEFT JOIN persons p ON p.id = n.person_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY n.id DESC LIMIT `+arg(limit+1), args...)
	if err != nil {
		return nil, "", mapError(err)
	}
	return pageOf(rows, limit, func(rows *sql.Rows) (*Notice, cursor, error) {
		var n Notice
		if err := rows.Scan(&n.ID, &n.Org, &n.OrgName, &n.Kind, &n.Ref, &n.PersonID, &n.PersonName, &n.Registration,
			&n.CreatedAt, &n.Read); err != nil {
			return nil, cursor{}, err
		}
		n.CreatedAt = n.CreatedAt.UTC()
		return &n, cursor{ID: n.ID}, nil
	})
}

// UnreadNotices counts the notices addressed to a user not yet read, up to
// max (a badge says "99+" rather than count every one).
func (q Queries) UnreadNotices(ctx context.Context, userID int64, max int) (int, error) {
	where, args := NoticeFilter{User: userID, Unread: true}.where()
	args = append(args, max)
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT n.id FROM notices n WHERE `+
		strings.Join(where, " AND ")+` LIMIT $`+strconv.Itoa(len(args))+`) t`, args...).Scan(&n)
	return n, mapError(err)
}

// MarkNoticesRead marks as read, for a user, the notices addressed to them
// up to the given id (0 for every one), and returns how many that were
// unread it marked.
func (tx *Tx) MarkNoticesRead(ctx context.Context, userID, upTo int64) (int, error) {
	where, args := NoticeFilter{User: userID, Unread: true}.where()
	if upTo > 0 {
		args = append(args, upTo)
		where = append(where, "n.id <= $"+strconv.Itoa(len(args)))
	}
	var n int
	var last int64
	err := tx.q.QueryRowContext(ctx, `SELECT count(*), coalesce(max(n.id), 0) FROM notices n WHERE `+
		strings.Join(where, " AND "), args...).Scan(&n, &last)
	if err != nil || n == 0 {
		return 0, mapError(err)
	}
	_, err = tx.q.ExecContext(ctx, `UPDATE users SET notices_read_to = $1 WHERE id = $2 AND notices_read_to < $1`, last, userID)
	return n, mapError(err)
}

// FacilitiesReleasing lists the codes of the facilities with someone in
// custody due for release on or before a day.
func (q Queries) FacilitiesReleasing(ctx context.Context, until binakerja.Date) ([]string, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT DISTINCT o.code FROM custody_episodes e
		JOIN organizations o ON o.id = e.facility_id
		WHERE e.release_date IS NULL AND e.expected_release_date <= $1 ORDER BY o.code`, until)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, mapError(rows.Err())
}
