package server

// AnonymousRenders is how many anonymous pages and reads the server
// rendered for its cache.
func AnonymousRenders(s *Server) int64 { return s.rendered.Load() }
