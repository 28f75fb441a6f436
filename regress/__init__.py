"""Regression infrastructure: tool discovery (toolchain) and cached simulator builds (simbuild)."""
