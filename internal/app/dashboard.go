package app

import (
	"context"
	"time"

	"binakerja"
	"binakerja/internal/store"
)

// factsCache holds the facts a page of figures has read, so that each
// figure after the first reads its facts from a wider reading instead of
// the database; and, while quiet, the page records its view once rather
// than each figure its own.
type factsCache struct {
	funnelScopes  []store.FunnelScope
	funnel        []*store.FunnelFacts
	releaseScopes []store.ReleaseScope
	release       []*store.ReleaseFacts
	quiet         bool
}

type factsKey struct{}

func cacheFrom(ctx context.Context) *factsCache {
	c, _ := ctx.Value(factsKey{}).(*factsCache)
	return c
}

// funnelFacts reads a funnel's facts, from a cached wider reading when
// there is one.
func (a *App) funnelFacts(ctx context.Context, s store.FunnelScope) (*store.FunnelFacts, error) {
	c := cacheFrom(ctx)
	if c != nil {
		for i, have := range c.funnelScopes {
			if have.Path == s.Path && have.Program == s.Program && have.Cut.Equal(s.Cut) && (have.ByStart == s.ByStart) &&
				!have.From.After(s.From) && !have.To.Before(s.To) {
				if have.From.Equal(s.From) && have.To.Equal(s.To) {
					return c.funnel[i], nil
				}
				return c.funnel[i].Within(s.From, s.To, s.ByStart), nil
			}
		}
	}
	f, err := a.db.FunnelFacts(ctx, s)
	if err == nil && c != nil {
		c.funnelScopes, c.funnel = append(c.funnelScopes, s), append(c.funnel, f)
	}
	return f, err
}

// releaseFacts reads the releases' facts, from a cached wider reading
// when there is one.
func (a *App) releaseFacts(ctx context.Context, s store.ReleaseScope) (*store.ReleaseFacts, error) {
	c := cacheFrom(ctx)
	if c != nil {
		for i, have := range c.releaseScopes {
			if have.Path == s.Path && have.Cut.Equal(s.Cut) && !have.From.After(s.From) && !have.To.Before(s.To) {
				if have.From.Equal(s.From) && have.To.Equal(s.To) {
					return c.release[i], nil
				}
				return c.release[i].Within(s.From, s.To), nil
			}
		}
	}
	f, err := a.db.ReleaseFacts(ctx, s)
	if err == nil && c != nil {
		c.releaseScopes, c.release = append(c.releaseScopes, s), append(c.release, f)
	}
	return f, err
}

// viewed records that the actor viewed figures, unless a dashboard records
// its one view for all of them.
func (a *App) viewed(ctx context.Context, ac Actor, role, what, org string, details map[string]any) error {
	if c := cacheFrom(ctx); c != nil && c.quiet {
		return nil
	}
	return a.db.Transact(ctx, func(tx *store.Tx) error {
		return a.record(ctx, tx, ac, role, "metrics.view", "metric", what, org, details)
	})
}

// Dashboard prepares a context in which the figures of one page (the
// outcomes page of an organisation and period) read the facts of the
// period and of the three years of its trends once, and records the page's
// view once: the figures asked for in it are the same as asked alone.
func (a *App) Dashboard(ctx context.Context, ac Actor, q MetricQuery) (context.Context, error) {
	q.ID, q.Years = "", 0
	role, path, _, err := a.metricScope(ctx, ac, &q)
	if err != nil {
		return ctx, err
	}
	c := &factsCache{}
	ctx = context.WithValue(ctx, factsKey{}, c)
	// The widest span any figure of the page asks for: the period, and the
	// twelve quarters ending with the period's.
	y, m, _ := q.To.Time().Date()
	first := binakerja.NewDate(y, time.Month((int(m)-1)/3*3+1), 1).AddDate(0, -3*(trendQuarters-1), 0)
	if q.From.Before(first) {
		first = q.From
	}
	last := binakerja.NewDate(y, time.Month((int(m)-1)/3*3+1), 1).AddDate(0, 3, -1)
	cut := a.recordedCut(q.AsOf)
	if _, err := a.funnelFacts(ctx, store.FunnelScope{Path: path, From: first, To: last, Cut: cut}); err != nil {
		return ctx, err
	}
	if _, err := a.releaseFacts(ctx, store.ReleaseScope{Path: path, From: first, To: last, Cut: cut}); err != nil {
		return ctx, err
	}
	// T1 counts the cohorts starting in the period.
	if _, err := a.funnelFacts(ctx, store.FunnelScope{Path: path, From: q.From, To: q.To, ByStart: true, Cut: cut}); err != nil {
		return ctx, err
	}
	if err := a.viewed(ctx, ac, role, "dashboard", q.Organization, map[string]any{"from": q.From, "to": q.To, "as_of": q.AsOf}); err != nil {
		return ctx, err
	}
	c.quiet = true
	return ctx, nil
}
