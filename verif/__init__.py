"""layer-engine verification: stream BFMs now; the pyuvm environment (agents, scoreboards, coverage) next."""
