"""The pyuvm environment of layer_engine: reference model, scoreboard, env, sequences (docs/verification.md)."""
