"""uvm_test classes of the layer_engine environment (launched from pytest: tests/rtl/test_uvm_env.py)."""
