"""layer-engine models: the pure-integer golden model (the executable spec) and everything around it."""
