package feeds

import "github.com/msticgo/msticgo/lookup"

// NoCache tells the lookup engine not to cache the provider's answers
// (lookup.NoCacher): they come from local files in microseconds, and a cache
// would keep serving answers after a feed file changed or under a config
// with other feeds.
func (p *Provider) NoCache() bool { return true }

var _ lookup.NoCacher = (*Provider)(nil)
