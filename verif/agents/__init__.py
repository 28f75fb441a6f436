"""pyuvm agents of the layer_engine environment: each has a sequence item, a driver, a monitor with an
analysis port, a sequencer and a config object that makes it active or passive (docs/verification.md)."""
